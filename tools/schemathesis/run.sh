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
# MREG_SCHEMATHESIS=/path/to/schemathesis uses that executable; otherwise the venv is created once, cached in
# ~/.cache/mreg/venv-schemathesis-<hash> (tools/python/venv.sh). schemathesis.toml beside this script holds the
# settings of the checks, hooks.py the values a client takes from the server or the body (page tokens, filters by
# each list's fields, Content-Digest, unique Idempotency-Keys). Knobs: MREG_SCHEMATHESIS_SEED (1),
# MREG_SCHEMATHESIS_MAX_EXAMPLES (20), MREG_SCHEMATHESIS_PORT (a free one), MREG_SCHEMATHESIS_KEEP=1 (keep the scratch dir).
# Exits 0 only when schemathesis ran and found nothing, with its JUnit report written.
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
  if ! VENV="$(bash "$ROOT/tools/python/venv.sh" "$HERE/requirements.txt")"; then
    echo '[schemathesis] could not create the venv (tools/python/venv.sh): the contract run did not run' >&2
    exit 1
  fi
  ST="$VENV/bin/schemathesis"
fi

if [[ "${MREG_SCHEMATHESIS_NO_BUILD:-0}" != 1 ]]; then
  (cd "$ROOT" && npm run build >/dev/null) || { echo '[schemathesis] npm run build failed' >&2; exit 1; }
fi

# A free port unless one is given: a registry already running on the machine (npm start, another run) is left alone.
PORT="${MREG_SCHEMATHESIS_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
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
ready=0
for _ in $(seq 1 120); do
  curl -sf "$URL/ready" >/dev/null 2>&1 && ready=1 && break
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.5
done
if [[ "$ready" != 1 ]]; then
  echo "[schemathesis] the server did not become ready at $URL: the contract run did not run" >&2
  tail -20 "$SCRATCH/server.log" >&2
  exit 1
fi

echo "[schemathesis] $URL/api/openapi.json, --checks all, seed ${MREG_SCHEMATHESIS_SEED:-1}; JUnit report: $JUNIT" >&2
cd "$SCRATCH" || exit 1
MREG_SCHEMATHESIS_TOKEN="$TOKEN" PYTHONDONTWRITEBYTECODE=1 SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" "$ST" --config-file "$HERE/schemathesis.toml" run "$URL/api/openapi.json" \
  --checks all --seed "${MREG_SCHEMATHESIS_SEED:-1}" --max-examples "${MREG_SCHEMATHESIS_MAX_EXAMPLES:-20}" \
  -H "Authorization: Bearer $TOKEN" --report junit --report-junit-path "$JUNIT" --no-color "$@"
rc=$?
if [[ "$rc" -eq 0 && ! -s "$JUNIT" ]]; then
  echo "[schemathesis] no JUnit report at $JUNIT" >&2
  rc=1
fi
[[ "$rc" -eq 0 ]] && exit 0
echo "[schemathesis] exited with $rc" >&2
if ! kill -0 "$SERVER" 2>/dev/null; then
  echo '[schemathesis] the server is gone; the end of its log:' >&2
  tail -40 "$SCRATCH/server.log" >&2
fi
exit 1
