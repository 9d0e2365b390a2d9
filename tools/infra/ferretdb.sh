#!/usr/bin/env bash
# FerretDB v1 (MongoDB wire protocol) on 127.0.0.1, built from the Go module proxy, its data in SQLite files or,
# with MREG_FERRETDB_BACKEND=postgresql, in PostgreSQL (a database of its own, ferretdb_<port>, on the server of
# tools/infra/postgres.sh, which it starts when needed). docs/decisions/0030 compares the two.
#
#   tools/infra/ferretdb.sh install     go build tools/infra/ferretdb into the cache (once per source change)
#   tools/infra/ferretdb.sh start       start it; prints the mongodb:// URL
#   tools/infra/ferretdb.sh stop        stop it (SIGTERM, then SIGKILL after MREG_INFRA_STOP_TIMEOUT s)
#   tools/infra/ferretdb.sh status      exit 0 when running, 3 when not
#   tools/infra/ferretdb.sh env         export lines for a running server
#   tools/infra/ferretdb.sh ping        a MongoDB `hello` round trip to it (exit 0 when it answers)
#   tools/infra/ferretdb.sh clean       stop it and delete its data (and its PostgreSQL database, if any)
#
# Env: MREG_FERRETDB_PORT (27017), MREG_FERRETDB_BACKEND (sqlite | postgresql; sqlite),
#      MREG_FERRETDB_LOG_LEVEL (info), MREG_CACHE_DIR, MREG_INFRA_DATA, the MREG_POSTGRES_* of postgres.sh,
#      and the usual Go variables (GOMODCACHE, GOCACHE, GOPROXY). See docs/operations/infra.md.
# shellcheck source=tools/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" ferretdb

FERRET_PORT="${MREG_FERRETDB_PORT:-27017}"
FERRET_LOG_LEVEL="${MREG_FERRETDB_LOG_LEVEL:-info}"
FERRET_SRC="$INFRA_SRC_DIR/ferretdb"
FERRET_URL="mongodb://$INFRA_HOST:$FERRET_PORT/"
FERRET_BACKEND="${MREG_FERRETDB_BACKEND:-sqlite}"
FERRET_PG_DB="ferretdb_$FERRET_PORT"
[[ "$FERRET_BACKEND" == postgresql || "$FERRET_BACKEND" == sqlite ]] || infra_die "MREG_FERRETDB_BACKEND must be postgresql or sqlite, not '$FERRET_BACKEND'"

infra_check_port_number "$FERRET_PORT"
infra_instance ferretdb "$FERRET_PORT"

ferret_go() {
  command -v go >/dev/null || infra_die "go not found (Go 1.24 or newer is needed to build FerretDB)"
  # GOTOOLCHAIN=local: never download another Go; -mod=mod: resolve through the module proxy,
  # checked against the committed go.sum; CGO_ENABLED=0: FerretDB's SQLite (modernc.org) is pure Go.
  GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 go "$@"
}

# Sets FERRET_BIN to the binary for the current sources and Go version.
ferret_bin_path() {
  local stamp
  stamp="$( (cat "$FERRET_SRC/go.mod" "$FERRET_SRC/go.sum" "$FERRET_SRC/main.go"; ferret_go version) | sha256sum | cut -c1-16)"
  FERRET_BIN="$INFRA_CACHE/ferretdb/$stamp/mreg-ferretdb"
}

ferret_install() {
  ferret_bin_path
  if [[ -x "$FERRET_BIN" ]]; then
    return 0
  fi
  local dir tmp start=$SECONDS
  dir="$(dirname "$FERRET_BIN")"
  mkdir -p "$dir"
  tmp="$(mktemp "$dir/.build.XXXXXX")"
  infra_log "building FerretDB from the Go module proxy into $dir (first run only, ~1-2 min on 2 cores)"
  if ! (cd "$FERRET_SRC" && ferret_go build -trimpath -o "$tmp" .) >"$tmp.log" 2>&1; then
    sed 's/^/    | /' "$tmp.log" | tail -n 40 >&2
    rm -f "$tmp" "$tmp.log"
    infra_die "go build of $FERRET_SRC failed"
  fi
  rm -f "$tmp.log"
  chmod +x "$tmp"
  mv "$tmp" "$FERRET_BIN"
  infra_log "built in $((SECONDS - start)) s: $FERRET_BIN ($(du -h "$FERRET_BIN" | cut -f1))"
}

ferret_port_open() { infra_port_open "$FERRET_PORT"; }

# Ready = a real MongoDB round trip (hello + ping) with the Go driver.
ferret_ready() {
  infra_port_open "$FERRET_PORT" && "$FERRET_BIN" -ping "$FERRET_URL" >/dev/null 2>>"$INSTANCE_DIR/ready-check.log"
}

# Sets FERRET_PG_URL to this instance's own database on the tools/infra PostgreSQL server (started when it is
# not running, created when missing): one database per port, so instances and the event store's schemas never meet.
ferret_postgres() {
  local pg="$INFRA_SRC_DIR/postgres.sh" base
  base="$(bash "$pg" start)" || infra_die "PostgreSQL (tools/infra/postgres.sh) did not start; FerretDB keeps its data there"
  if [[ "$(bash "$pg" psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$FERRET_PG_DB'")" != 1 ]]; then
    bash "$pg" psql -qc "CREATE DATABASE $FERRET_PG_DB" >/dev/null || infra_die "CREATE DATABASE $FERRET_PG_DB failed"
  fi
  FERRET_PG_URL="${base%/*}/$FERRET_PG_DB"
}

# clean: the instance's PostgreSQL database goes with its folder (when the server is there to ask).
ferret_drop_postgres() {
  local pg="$INFRA_SRC_DIR/postgres.sh"
  bash "$pg" status >/dev/null 2>&1 || return 0
  [[ "$(bash "$pg" psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$FERRET_PG_DB'")" == 1 ]] || return 0
  bash "$pg" psql -qc "DROP DATABASE $FERRET_PG_DB WITH (FORCE)" >/dev/null && infra_log "dropped PostgreSQL database $FERRET_PG_DB"
}

ferret_start() {
  infra_lock
  ferret_install
  if infra_running; then
    infra_wait_ready ferret_ready "already running, hello answered"
    printf '%s\n' "$FERRET_URL"
    return 0
  fi
  infra_refuse_busy_port "$FERRET_PORT"
  mkdir -p "$INSTANCE_DIR/state"
  rm -f "$INSTANCE_DIR/ready-check.log"
  if [[ "$FERRET_BACKEND" == postgresql ]]; then
    ferret_postgres
    infra_log "starting FerretDB (PostgreSQL handler) on $INFRA_HOST:$FERRET_PORT, data in PostgreSQL database $FERRET_PG_DB"
    # The URL holds the password: it reaches the process through its environment, not its command line.
    # -state-dir names the instance on the command line, which is how a running instance is recognised.
    MREG_FERRETDB_POSTGRESQL_URL="$FERRET_PG_URL" infra_launch "$FERRET_BIN" -listen "$INFRA_HOST:$FERRET_PORT" -handler postgresql \
      -state-dir "$INSTANCE_DIR/state" -log-level "$FERRET_LOG_LEVEL"
  else
    infra_log "starting FerretDB (SQLite handler) on $INFRA_HOST:$FERRET_PORT, state in $INSTANCE_DIR/state"
    infra_launch "$FERRET_BIN" -listen "$INFRA_HOST:$FERRET_PORT" -state-dir "$INSTANCE_DIR/state" \
      -log-level "$FERRET_LOG_LEVEL"
  fi
  infra_wait_ready ferret_ready "ready: hello answered"
  printf '%s\n' "$FERRET_URL"
}

ferret_status() {
  local pid
  if pid="$(infra_pid)"; then
    infra_log "running: pid $pid, $FERRET_URL, data $INSTANCE_DIR"
    printf '%s\n' "$FERRET_URL"
    return 0
  fi
  infra_log "not running (port $FERRET_PORT)"
  return 3
}

case "${1:-}" in
install)
  ferret_install
  infra_log "FerretDB binary: $FERRET_BIN"
  ;;
start) ferret_start ;;
stop)
  infra_lock
  infra_stop
  ;;
status) ferret_status ;;
env)
  ferret_status >/dev/null 2>&1 || infra_die "FerretDB is not running on port $FERRET_PORT (run: tools/infra/ferretdb.sh start)"
  printf 'export MREG_MONGO_URL=%q\n' "$FERRET_URL"
  ;;
ping)
  ferret_bin_path
  [[ -x "$FERRET_BIN" ]] || infra_die "FerretDB is not built (run: tools/infra/ferretdb.sh install)"
  "$FERRET_BIN" -ping "$FERRET_URL"
  ;;
clean)
  infra_clean
  ferret_drop_postgres
  ;;
*) infra_usage "install|start|stop|status|env|ping|clean" ;;
esac
