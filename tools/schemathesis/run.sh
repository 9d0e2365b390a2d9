#!/usr/bin/env bash
# schemathesis (pinned in tools/schemathesis/requirements.txt) against the all-in-one server's published contract,
# /api/openapi.json: every check (`--checks all`), a fixed seed, a JUnit report. It fails when the server does
# something its OpenAPI document does not say: a status it does not declare, a schema-valid request refused, a
# schema-violating one accepted, an undeclared method answered otherwise than 405.
#
#   tools/schemathesis/run.sh [JUNIT_XML] [schemathesis run args...]
#
# JUNIT_XML (or MREG_SCHEMATHESIS_JUNIT): default ${TMPDIR:-/tmp}/mreg-schemathesis.xml. The server is built
# first (npm run build) unless MREG_SCHEMATHESIS_NO_BUILD=1, and runs on a scratch data dir with one admin token.
# MREG_SCHEMATHESIS=/path/to/schemathesis uses that executable; otherwise a venv is created once in
# ~/.cache/mreg/venv-schemathesis-<hash>. Knobs: MREG_SCHEMATHESIS_SEED (1), MREG_SCHEMATHESIS_MAX_EXAMPLES (20),
# MREG_SCHEMATHESIS_PORT (18998), MREG_SCHEMATHESIS_KEEP=1 (keep the scratch dir).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

# shellcheck source=../lib/junit.sh
source "$ROOT/tools/lib/junit.sh"
JUNIT="${MREG_SCHEMATHESIS_JUNIT:-}"
if [[ $# -gt 0 && "$1" != -* ]]; then
  JUNIT="$1"
  shift
fi
JUNIT="$(junit_path "$JUNIT" "${TMPDIR:-/tmp}/mreg-schemathesis.xml")"

ST="${MREG_SCHEMATHESIS:-}"
if [[ -z "$ST" ]]; then
  CACHE="${MREG_CACHE_DIR:-${HOME:-/root}/.cache/mreg}"
  REQ="$HERE/requirements.txt"
  VENV="$CACHE/venv-schemathesis-$(sha256sum "$REQ" | cut -c1-12)"
  if [[ ! -x "$VENV/bin/schemathesis" || ! -f "$VENV/.complete" ]]; then
    echo "[schemathesis] creating $VENV" >&2
    rm -rf "$VENV" && mkdir -p "$CACHE"
    if ! { "${MREG_PYTHON:-python3}" -m venv "$VENV" && "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"; } >&2; then
      echo '[schemathesis] could not create the venv: the contract run did not run' >&2
      exit 1
    fi
    touch "$VENV/.complete"
  fi
  ST="$VENV/bin/schemathesis"
fi

if [[ "${MREG_SCHEMATHESIS_NO_BUILD:-0}" != 1 ]]; then
  (cd "$ROOT" && npm run build >/dev/null) || { echo '[schemathesis] npm run build failed' >&2; exit 1; }
fi

PORT="${MREG_SCHEMATHESIS_PORT:-18998}"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/mreg-schemathesis.XXXXXX")"
TOKEN="schemathesis-admin-token-0001"
PORT="$PORT" MREG_HOST=127.0.0.1 MREG_DATA_DIR="$SCRATCH/data" MREG_LOG_LEVEL=error \
  MREG_TOKENS="{\"$TOKEN\": {\"user\": \"schemathesis\", \"roles\": [\"admin\"]}}" \
  node "$ROOT/tools/node/run.cjs" "$ROOT/apps/mreg/dist/main.js" >"$SCRATCH/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  [[ "${MREG_SCHEMATHESIS_KEEP:-0}" == 1 ]] || rm -rf "$SCRATCH"
}
trap cleanup EXIT

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do
  curl -sf "$URL/ready" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { echo '[schemathesis] the server did not start:' >&2; tail -20 "$SCRATCH/server.log" >&2; exit 1; }
  sleep 0.5
done

echo "[schemathesis] $URL/api/openapi.json, --checks all, seed ${MREG_SCHEMATHESIS_SEED:-1}; JUnit report: $JUNIT" >&2
cd "$SCRATCH" || exit 1
PYTHONDONTWRITEBYTECODE=1 SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" "$ST" run "$URL/api/openapi.json" \
  --checks all --seed "${MREG_SCHEMATHESIS_SEED:-1}" --max-examples "${MREG_SCHEMATHESIS_MAX_EXAMPLES:-20}" \
  -H "Authorization: Bearer $TOKEN" --report junit --report-junit-path "$JUNIT" --no-color "$@"
rc=$?
if [[ "$rc" -eq 0 && ! -s "$JUNIT" ]]; then
  echo "[schemathesis] no JUnit report at $JUNIT" >&2
  rc=1
fi
[[ "$rc" -eq 0 ]] && exit 0
echo "[schemathesis] exited with $rc" >&2
exit 1
