#!/usr/bin/env bash
# The MLflow conformance suite (libs/testing/mlflow-conformance): the official MLflow client, pinned in
# tools/python/requirements.txt, against mreg's embedded server and distributed topology.
#
#   tools/mlflow/conformance.sh [JUNIT_XML] [pytest args...]
#
# JUNIT_XML (or MREG_CONFORMANCE_JUNIT) is where pytest writes its JUnit report; default
# ${TMPDIR:-/tmp}/mreg-mlflow-conformance.xml. MREG_CONFORMANCE_TARGETS picks the targets (comma-separated,
# default `embedded,distributed`; `mlflow` runs the same tests against a real `mlflow server` from the venv).
# Other knobs: PYTEST_ADDOPTS (e.g. "-k alias"), MREG_CONFORMANCE_LOG_TAIL=1 (server log tail in failure
# reports), MREG_CONFORMANCE_KEEP=1 (keep the target's scratch dir), MREG_START_SERVERS=0 (never start Kafka,
# FerretDB, S3 for the distributed target: it is then skipped, loudly, if they are not running).
# The venv is created on first use (tools/python/venv.sh, in ~/.cache/mreg). Exits 0 only when pytest ran at
# least one test and none failed or errored; "no tests collected" (pytest's exit 5) is a failure.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SUITE="$ROOT/libs/testing/mlflow-conformance"

# shellcheck source=../lib/junit.sh
source "$ROOT/tools/lib/junit.sh"
JUNIT="${MREG_CONFORMANCE_JUNIT:-}"
if [[ $# -gt 0 && "$1" != -* ]]; then
  JUNIT="$1"
  shift
fi
JUNIT="$(junit_path "$JUNIT" "${TMPDIR:-/tmp}/mreg-mlflow-conformance.xml")"

if ! VENV="$(bash "$ROOT/tools/python/venv.sh")"; then
  echo '[conformance] could not create the Python venv (tools/python/venv.sh): the MLflow conformance suite did not run' >&2
  exit 1
fi

echo "[conformance] targets: ${MREG_CONFORMANCE_TARGETS:-embedded,distributed}; JUnit report: $JUNIT" >&2
cd "$SUITE" || exit 1
"$VENV/bin/python" -m pytest -c "$SUITE/pytest.ini" --rootdir "$SUITE" --junitxml="$JUNIT" "$@"
rc=$?

case "$rc" in
0) ;;
5) echo '[conformance] pytest collected no tests: that is a failure' >&2 ;;
*) echo "[conformance] pytest exited with $rc" >&2 ;;
esac
if [[ "$rc" -eq 0 && ! -s "$JUNIT" ]]; then
  echo "[conformance] pytest wrote no JUnit report at $JUNIT" >&2
  rc=1
fi
[[ "$rc" -eq 0 ]] && exit 0
exit 1
