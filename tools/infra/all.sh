#!/usr/bin/env bash
# All test servers at once: Kafka, FerretDB (MongoDB protocol), S3 and PostgreSQL.
#
#   tools/infra/all.sh install   install the four into the cache (in parallel)
#   tools/infra/all.sh start     start the four (in parallel); prints their export lines (as env.sh)
#   tools/infra/all.sh stop      stop the four
#   tools/infra/all.sh status    exit 0 when all four run, 3 otherwise
#   tools/infra/all.sh env       = tools/infra/env.sh
#
# Typical use in CI:  eval "$(bash tools/infra/all.sh start)"  ...  bash tools/infra/all.sh stop
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVERS=(kafka ferretdb s3 postgres)

# run_all CMD: runs `SERVER.sh CMD` for each server in parallel; stderr passes through,
# stdout is dropped; fails when any fails, naming them.
run_all() {
  local cmd="$1" pids=() failed=() i
  for i in "${!SERVERS[@]}"; do
    bash "$HERE/${SERVERS[$i]}.sh" "$cmd" >/dev/null &
    pids[i]=$!
  done
  for i in "${!SERVERS[@]}"; do
    wait "${pids[$i]}" || failed+=("${SERVERS[$i]}")
  done
  if ((${#failed[@]})); then
    printf '[infra:all] %s failed for: %s\n' "$cmd" "${failed[*]}" >&2
    return 1
  fi
}

case "${1:-}" in
install)
  start=$SECONDS
  run_all install
  printf '[infra:all] installed in %s s\n' "$((SECONDS - start))" >&2
  ;;
start)
  start=$SECONDS
  if ! run_all start; then
    printf '[infra:all] not all servers started; the others are left running (stop them with: %s stop)\n' "$0" >&2
    exit 1
  fi
  printf '[infra:all] all started in %s s\n' "$((SECONDS - start))" >&2
  bash "$HERE/env.sh"
  ;;
stop)
  run_all stop
  ;;
status)
  rc=0
  for s in "${SERVERS[@]}"; do
    bash "$HERE/$s.sh" status >/dev/null || rc=3
  done
  exit "$rc"
  ;;
env)
  exec bash "$HERE/env.sh"
  ;;
*)
  echo "usage: $(basename "$0") {install|start|stop|status|env}" >&2
  exit 2
  ;;
esac
