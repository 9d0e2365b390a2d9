# Shared by the scripts that run a test suite with a JUnit report (tools/mlflow/conformance.sh, tools/schemathesis/run.sh).
# junit_path GIVEN DEFAULT: the report's absolute path (GIVEN, else DEFAULT), its folder created and an old report removed.
junit_path() {
  local junit="${1:-$2}"
  mkdir -p "$(dirname "$junit")"
  junit="$(cd "$(dirname "$junit")" && pwd)/$(basename "$junit")"
  rm -f "$junit"
  printf '%s' "$junit"
}
