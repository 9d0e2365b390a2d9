#!/usr/bin/env bash
# PostgreSQL (the apt package's server binaries) as a private cluster on 127.0.0.1, for the PostgreSQL event store.
#
#   tools/infra/postgres.sh install     install PostgreSQL from apt when no server binaries are found (once)
#   tools/infra/postgres.sh start       initdb the cluster (once), start it, create the database; prints the URL
#   tools/infra/postgres.sh stop        stop it (SIGINT: fast shutdown; SIGKILL after MREG_INFRA_STOP_TIMEOUT s)
#   tools/infra/postgres.sh status      exit 0 when running, 3 when not
#   tools/infra/postgres.sh env         export lines for a running server
#   tools/infra/postgres.sh psql ARGS   psql against its database, e.g. psql -c 'SELECT version()'
#   tools/infra/postgres.sh clean       stop it and delete its data
#
# PostgreSQL refuses to run as root: run by root, the cluster belongs to MREG_POSTGRES_OS_USER (default postgres,
# the apt package's user; created as a system user when missing) and its server runs as that user. When that user
# cannot reach the instance folder (below /root, say), the data directory lives in MREG_POSTGRES_DATA_ROOT
# (default /var/lib/mreg-infra-postgres) and the instance folder links to it.
#
# Env: MREG_POSTGRES_PORT (55432), MREG_POSTGRES_USER (mreg), MREG_POSTGRES_PASSWORD (mreg-postgres),
#      MREG_POSTGRES_DB (mreg), MREG_POSTGRES_MAX_CONNECTIONS (200), MREG_POSTGRES_BIN_DIR, MREG_POSTGRES_OS_USER,
#      MREG_POSTGRES_DATA_ROOT, MREG_CACHE_DIR, MREG_INFRA_DATA. See docs/operations/infra.md.
# shellcheck source=tools/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" postgres

PG_PORT="${MREG_POSTGRES_PORT:-55432}"
PG_USER="${MREG_POSTGRES_USER:-mreg}"
PG_PASSWORD="${MREG_POSTGRES_PASSWORD:-mreg-postgres}"
PG_DB="${MREG_POSTGRES_DB:-mreg}"
PG_MAX_CONNECTIONS="${MREG_POSTGRES_MAX_CONNECTIONS:-200}"
PG_OS_USER="${MREG_POSTGRES_OS_USER:-postgres}"
PG_DATA_ROOT="${MREG_POSTGRES_DATA_ROOT:-/var/lib/mreg-infra-postgres}"

infra_check_port_number "$PG_PORT"
# They go into a URL unescaped, and into SQL as identifiers and a literal.
[[ "$PG_USER" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || infra_die "MREG_POSTGRES_USER '$PG_USER' must be a lower-case SQL name ([a-z_][a-z0-9_]*)"
[[ "$PG_DB" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || infra_die "MREG_POSTGRES_DB '$PG_DB' must be a lower-case SQL name ([a-z_][a-z0-9_]*)"
[[ "$PG_PASSWORD" =~ ^[A-Za-z0-9._~-]{1,100}$ ]] || infra_die "MREG_POSTGRES_PASSWORD may only hold A-Z a-z 0-9 . _ ~ - (it goes into a URL unescaped)"
[[ "$PG_MAX_CONNECTIONS" =~ ^[0-9]+$ ]] || infra_die "MREG_POSTGRES_MAX_CONNECTIONS must be a number"
infra_instance postgres "$PG_PORT"
PG_URL="postgres://$PG_USER:$PG_PASSWORD@$INFRA_HOST:$PG_PORT/$PG_DB"
# Stopping with SIGTERM is a "smart" shutdown, which waits for every client to disconnect; SIGINT ("fast")
# disconnects them and shuts down cleanly.
INFRA_STOP_SIGNAL=INT

# Sets PG_BIN to the newest directory holding the server binaries (postgres, initdb, psql), or fails.
pg_find_bin() {
  local dir candidates=()
  if [[ -n "${MREG_POSTGRES_BIN_DIR:-}" ]]; then
    candidates=("$MREG_POSTGRES_BIN_DIR")
  else
    # Debian and Ubuntu keep each major version's binaries apart, off PATH.
    while IFS= read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5nr)
    dir="$(command -v initdb 2>/dev/null || true)"
    [[ -n "$dir" ]] && candidates+=("$(dirname "$(readlink -f "$dir")")")
  fi
  for dir in "${candidates[@]}"; do
    if [[ -x "$dir/postgres" && -x "$dir/initdb" && -x "$dir/psql" && -x "$dir/pg_isready" ]]; then
      PG_BIN="$dir"
      return 0
    fi
  done
  return 1
}

pg_install() {
  pg_find_bin && return 0
  [[ -z "${MREG_POSTGRES_BIN_DIR:-}" ]] || infra_die "MREG_POSTGRES_BIN_DIR=$MREG_POSTGRES_BIN_DIR holds no postgres, initdb, psql and pg_isready"
  local apt=(apt-get)
  if ((EUID != 0)); then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
      infra_die "no PostgreSQL server binaries found, and installing them needs root: apt-get install postgresql (or set MREG_POSTGRES_BIN_DIR)"
    apt=(sudo -n apt-get)
  fi
  command -v apt-get >/dev/null || infra_die "no PostgreSQL server binaries found and no apt-get: install PostgreSQL and set MREG_POSTGRES_BIN_DIR"
  local log start=$SECONDS
  log="$(mktemp)"
  infra_log "installing PostgreSQL from apt (first run only)"
  # A stale package list is the usual reason for a failed install: refresh it once and try again.
  if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends postgresql >"$log" 2>&1; then
    if ! { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends postgresql; } >>"$log" 2>&1; then
      sed 's/^/    | /' "$log" | tail -n 30 >&2
      rm -f "$log"
      infra_die "apt-get install postgresql failed"
    fi
  fi
  rm -f "$log"
  pg_find_bin || infra_die "apt-get installed postgresql, but no server binaries were found in /usr/lib/postgresql/*/bin"
  infra_log "PostgreSQL installed in $((SECONDS - start)) s: $PG_BIN"
}

pg_major() { "$PG_BIN/postgres" --version | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p'; }

# Sets PG_AS (the command prefix that runs a program as the cluster's owner) and PGDATA_DIR.
pg_layout() {
  PG_AS=()
  PGDATA_DIR="$INSTANCE_DIR/pgdata"
  ((EUID == 0)) || return 0
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    infra_log "creating the system user $PG_OS_USER to own the cluster (PostgreSQL does not run as root)"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER" || infra_die "useradd $PG_OS_USER failed"
  fi
  # setpriv and env exec the program in place (runuser and su stay as its parent), so the recorded PID is the
  # server's; env -C: start in a folder the owner may enter.
  PG_AS=(setpriv "--reuid=$(id -u "$PG_OS_USER")" "--regid=$(id -g "$PG_OS_USER")" --init-groups -- env -C /)
  if [[ -L "$PGDATA_DIR" ]] || ! "${PG_AS[@]}" test -x "$INSTANCE_DIR"; then
    # The owner cannot reach the instance folder: the data directory lives where it can, one per instance.
    local id
    id="$(printf '%s' "$INSTANCE_DIR" | sha256sum | cut -c1-12)"
    mkdir -p "$PG_DATA_ROOT"
    chmod 755 "$PG_DATA_ROOT"
    if [[ ! -L "$PGDATA_DIR" ]]; then
      rm -rf "$PGDATA_DIR"
      ln -s "$PG_DATA_ROOT/$id-$PG_PORT" "$PGDATA_DIR"
    fi
    PGDATA_DIR="$(readlink "$INSTANCE_DIR/pgdata")"
  fi
}

# pg_sql DB SQL: runs SQL through psql as the cluster's superuser over TCP; prints the unaligned result.
pg_sql() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -h "$INFRA_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$1" \
    -X -A -t -q -v ON_ERROR_STOP=1 -c "$2"
}

pg_initdb() {
  if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
    local have want
    have="$(cat "$PGDATA_DIR/PG_VERSION")"
    want="$(pg_major)"
    [[ "$have" == "$want" ]] || infra_die "the cluster in $PGDATA_DIR is PostgreSQL $have, the server binaries are $want ($PG_BIN): run \`$0 clean\` or set MREG_POSTGRES_BIN_DIR"
    return 0
  fi
  local parent pwfile
  parent="$(dirname "$PGDATA_DIR")"
  rm -rf "$PGDATA_DIR"
  mkdir -p "$PGDATA_DIR"
  pwfile="$parent/.pwfile-$PG_PORT"
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  chmod 600 "$pwfile"
  if ((EUID == 0)); then
    chown "$PG_OS_USER:" "$PGDATA_DIR" "$pwfile"
  fi
  chmod 700 "$PGDATA_DIR"
  infra_log "initdb: a PostgreSQL $(pg_major) cluster in $PGDATA_DIR (superuser $PG_USER, scram-sha-256, UTF8)"
  # C collation: byte order, the same everywhere; UTF8 keeps every JSON text as written.
  if ! (cd / && "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PGDATA_DIR" -U "$PG_USER" --pwfile="$pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --no-locale) >>"$LOG_FILE" 2>&1; then
    rm -f "$pwfile"
    infra_log_tail 30
    rm -rf "$PGDATA_DIR"
    infra_die "initdb failed"
  fi
  rm -f "$pwfile"
}

# Ready = the server accepts connections (pg_isready) AND a login runs a query.
pg_ready() {
  "$PG_BIN/pg_isready" -q -h "$INFRA_HOST" -p "$PG_PORT" -t 3 >/dev/null 2>&1 &&
    pg_sql postgres 'SELECT 1' >/dev/null 2>>"$INSTANCE_DIR/ready-check.log"
}

pg_create_db() {
  if [[ "$(pg_sql postgres "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
    pg_sql postgres "CREATE DATABASE $PG_DB" || infra_die "CREATE DATABASE $PG_DB failed"
    infra_log "created database $PG_DB"
  fi
}

pg_start() {
  infra_lock
  pg_install
  pg_layout
  if infra_running; then
    infra_wait_ready pg_ready "already running, a query answered"
    pg_create_db
    printf '%s\n' "$PG_URL"
    return 0
  fi
  infra_refuse_busy_port "$PG_PORT"
  pg_initdb
  rm -f "$INSTANCE_DIR/ready-check.log"
  infra_log "starting PostgreSQL $(pg_major) on $INFRA_HOST:$PG_PORT, data in $PGDATA_DIR"
  # Settings are given on every start (edits to postgresql.conf are not needed). TCP only: no Unix socket, so
  # nothing is written to /var/run/postgresql or clashes with a system cluster's socket. mreg.infra_instance names
  # the instance folder in the command line, which is how a running instance is recognised.
  infra_launch "${PG_AS[@]}" "$PG_BIN/postgres" -D "$PGDATA_DIR" \
    -c listen_addresses="$INFRA_HOST" -c port="$PG_PORT" -c unix_socket_directories= \
    -c max_connections="$PG_MAX_CONNECTIONS" -c logging_collector=off -c log_min_messages=warning \
    -c mreg.infra_instance="$INSTANCE_DIR"
  infra_wait_ready pg_ready "ready: a query answered"
  pg_create_db
  printf '%s\n' "$PG_URL"
}

pg_status() {
  local pid
  if pid="$(infra_pid)"; then
    infra_log "running: pid $pid, $INFRA_HOST:$PG_PORT, database $PG_DB, data $INSTANCE_DIR"
    printf '%s\n' "$PG_URL"
    return 0
  fi
  infra_log "not running (port $PG_PORT)"
  return 3
}

pg_clean() {
  infra_lock
  infra_stop
  if [[ -L "$INSTANCE_DIR/pgdata" ]]; then
    local target
    target="$(readlink "$INSTANCE_DIR/pgdata")"
    # Only what this script made: one folder of its data root.
    [[ "$target" == "$PG_DATA_ROOT"/* ]] && rm -rf "$target"
  fi
  rm -rf "$INSTANCE_DIR"
  infra_log "deleted $INSTANCE_DIR"
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
install)
  pg_install
  infra_log "PostgreSQL $(pg_major) server binaries: $PG_BIN"
  ;;
start) pg_start ;;
stop)
  infra_lock
  infra_stop
  ;;
status) pg_status ;;
env)
  pg_status >/dev/null 2>&1 || infra_die "PostgreSQL is not running on port $PG_PORT (run: tools/infra/postgres.sh start)"
  printf 'export MREG_POSTGRES_URL=%q\n' "$PG_URL"
  ;;
psql)
  infra_running || infra_die "PostgreSQL is not running on port $PG_PORT"
  pg_find_bin || infra_die "no PostgreSQL binaries found"
  PGPASSWORD="$PG_PASSWORD" exec "$PG_BIN/psql" -h "$INFRA_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" "$@"
  ;;
clean) pg_clean ;;
*) infra_usage "install|start|stop|status|env|psql ARGS|clean" ;;
esac
