#!/usr/bin/env bash
# Prints `export` lines for the test servers that are running (started by tools/infra/*.sh):
#   MREG_KAFKA_BROKERS, MREG_MONGO_URL, MREG_S3_ENDPOINT, MREG_S3_ACCESS_KEY,
#   MREG_S3_SECRET_KEY, MREG_S3_BUCKET, MREG_S3_REGION, MREG_POSTGRES_URL
# Use: eval "$(bash tools/infra/env.sh)". The ports come from the same MREG_*_PORT variables.
# A server that is not running is named on stderr and its lines are left out; the exit code
# is then 3 (0 when all four are running).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rc=0
for s in kafka ferretdb s3 postgres; do
  if out="$(bash "$HERE/$s.sh" env 2>/dev/null)"; then
    printf '%s\n' "$out"
  else
    printf '[infra:env] %s is not running: its variables are left out\n' "$s" >&2
    rc=3
  fi
done
exit "$rc"
