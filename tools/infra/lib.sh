# shellcheck shell=bash
# Shared helpers for tools/infra/*.sh. Sourced, never run: `source lib.sh NAME` names the server
# (the [infra:NAME] prefix) and sets bash's strict mode for the script.
#
# Conventions of every server script:
#   - progress and errors go to stderr, prefixed with [infra:NAME];
#   - the one useful result (a URL, a bootstrap server, export lines) goes to stdout,
#     so `URL=$(tools/infra/ferretdb.sh start)` works;
#   - servers bind to 127.0.0.1 only; one instance per port, its files in
#     $INFRA_DATA/NAME-PORT/ (PID file, log, data);
#   - start on a running instance is a no-op success; stop on a stopped one too;
#     status exits 0 when running, 3 when not.

set -euo pipefail
INFRA_NAME="${1:-infra}"
# shellcheck disable=SC2034 # used by the scripts that source this file
INFRA_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MREG_CACHE_DIR="${MREG_CACHE_DIR:-${HOME:-/root}/.cache/mreg}"
INFRA_CACHE="$MREG_CACHE_DIR/infra"
INFRA_DATA="${MREG_INFRA_DATA:-$INFRA_CACHE/data}"
# absolute paths: servers run from their instance folder and are recognised by it
[[ "$INFRA_CACHE" == /* ]] || INFRA_CACHE="$PWD/$INFRA_CACHE"
[[ "$INFRA_DATA" == /* ]] || INFRA_DATA="$PWD/$INFRA_DATA"
INFRA_HOST=127.0.0.1
INFRA_START_TIMEOUT="${MREG_INFRA_START_TIMEOUT:-120}"
INFRA_STOP_TIMEOUT="${MREG_INFRA_STOP_TIMEOUT:-60}"

infra_log() { printf '[infra:%s] %s\n' "${INFRA_NAME:-infra}" "$*" >&2; }
infra_die() {
  infra_log "ERROR: $*"
  exit 1
}

# infra_instance NAME PORT: sets INSTANCE_DIR, PID_FILE, LOG_FILE for one instance.
infra_instance() {
  INFRA_NAME="$1"
  INSTANCE_DIR="$INFRA_DATA/$1-$2"
  PID_FILE="$INSTANCE_DIR/$1.pid"
  LOG_FILE="$INSTANCE_DIR/$1.log"
}

infra_check_port_number() {
  if ! [[ "$1" =~ ^[0-9]+$ ]] || ((10#$1 < 1 || 10#$1 > 65535)); then
    infra_die "bad port number: '$1'"
  fi
}

# Runs the rest of the calling script under an exclusive lock on the instance
# (two concurrent `start`s, or a `stop` racing a `start`, wait for each other).
infra_lock() {
  mkdir -p "$INSTANCE_DIR"
  # a script that runs itself again while holding the lock (s3.sh auto mode) says so
  [[ "${_MREG_INFRA_LOCK_HELD:-}" == 1 ]] && return 0
  exec 9>"$INSTANCE_DIR/.lock"
  if ! flock -w "$((INFRA_START_TIMEOUT + INFRA_STOP_TIMEOUT))" 9; then
    infra_die "timed out waiting for the lock $INSTANCE_DIR/.lock"
  fi
}

# infra_pid: prints the PID of the running instance, or fails. The PID must be alive
# and its command line must mention the instance dir (guards against PID reuse).
infra_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -qaF -- "$INSTANCE_DIR" "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

infra_running() { infra_pid >/dev/null; }

# infra_port_open PORT [HOST]: true when something accepts TCP connections there.
infra_port_open() {
  # shellcheck disable=SC2016 # $1 and $2 belong to the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "${2:-$INFRA_HOST}" "$1" 2>/dev/null
}

# infra_http_alive PORT: true when an HTTP server answers there (any status).
infra_http_alive() {
  # shellcheck disable=SC2016 # $1 and $2 belong to the inner bash
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET / HTTP/1.0\r\nHost: %s:%s\r\n\r\n" "$1" "$2" >&3
    IFS= read -r line <&3 || exit 1
    [[ "$line" == HTTP/* ]]
  ' _ "$INFRA_HOST" "$1" 2>/dev/null
}

# infra_log_tail [N]: the last N lines that the latest start wrote to LOG_FILE.
infra_log_tail() {
  if [[ -f "$LOG_FILE" ]]; then
    infra_log "last lines of $LOG_FILE:"
    awk '/^===== .*: start / { n = 0; next } { buf[n++] = $0 } END { for (i = (n > N ? n - N : 0); i < n; i++) print buf[i] }' \
      N="${1:-40}" "$LOG_FILE" | cut -c1-400 | sed 's/^/    | /' >&2
  fi
}

# infra_launch CMD...: starts CMD in the background in its own session, detached
# from our stdin/stdout/stderr (its output is appended to LOG_FILE), records the PID.
infra_launch() {
  mkdir -p "$INSTANCE_DIR"
  # One earlier log is kept beside the current one once it passes 64 MiB (a server's log grows with every start).
  if [[ -f "$LOG_FILE" ]] && (($(stat -c %s "$LOG_FILE") > 67108864)); then
    mv -f "$LOG_FILE" "$LOG_FILE.old"
  fi
  printf '\n===== %s: start %s =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$INFRA_NAME" >>"$LOG_FILE"
  # setsid from a non-leader process execs in place, so $! is the server's own PID.
  # fd 9 (our lock) is closed so that the server does not hold the lock forever.
  (cd "$INSTANCE_DIR" && exec setsid "$@" </dev/null >>"$LOG_FILE" 2>&1 9>&-) &
  local pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  # The subshell execs setsid, which execs the server: wait until the command line is the server's.
  local _
  for _ in $(seq 1 50); do
    if grep -qaF -- "$INSTANCE_DIR" "/proc/$pid/cmdline" 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

# infra_wait_ready CHECK_FN DESCRIPTION: polls CHECK_FN until it succeeds, the server
# process dies, or INFRA_START_TIMEOUT runs out. On failure stops the process,
# prints the log tail and exits non-zero.
infra_wait_ready() {
  local check="$1" what="$2" start=$SECONDS pid
  pid="$(cat "$PID_FILE")"
  while true; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      infra_log_tail 60
      infra_die "$INFRA_NAME exited during start-up (see $LOG_FILE)"
    fi
    if "$check"; then
      infra_log "$what after $((SECONDS - start)) s (pid $pid)"
      return 0
    fi
    if ((SECONDS - start >= INFRA_START_TIMEOUT)); then
      infra_log_tail 60
      infra_stop_pid "$pid"
      infra_die "$INFRA_NAME not ready after ${INFRA_START_TIMEOUT} s (MREG_INFRA_START_TIMEOUT); stopped it (see $LOG_FILE)"
    fi
    sleep 0.5
  done
}

# infra_stop_pid PID: SIGTERM (INFRA_STOP_SIGNAL when a server wants another one), wait up to
# INFRA_STOP_TIMEOUT, then SIGKILL.
infra_stop_pid() {
  local pid="$1" start=$SECONDS
  kill -"${INFRA_STOP_SIGNAL:-TERM}" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - start >= INFRA_STOP_TIMEOUT)); then
      infra_log "pid $pid still alive after ${INFRA_STOP_TIMEOUT} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
}

# infra_stop: the whole `stop` command for the current instance (infra_lock first when it is the command).
infra_stop() {
  local pid
  if pid="$(infra_pid)"; then
    infra_log "stopping pid $pid"
    local start=$SECONDS
    infra_stop_pid "$pid"
    infra_log "stopped after $((SECONDS - start)) s"
  else
    rm -f "$PID_FILE"
    infra_log "not running"
  fi
}

# infra_clean: the whole `clean` command: stop the instance and delete its files.
infra_clean() {
  infra_lock
  infra_stop
  rm -rf "$INSTANCE_DIR"
  infra_log "deleted $INSTANCE_DIR"
}

# infra_refuse_busy_port PORT...: fails when a port is taken by a process we did not start.
infra_refuse_busy_port() {
  local p
  for p in "$@"; do
    if infra_port_open "$p"; then
      infra_die "port $INFRA_HOST:$p is already in use by another process (not started by this script for $INSTANCE_DIR); stop it or choose another port"
    fi
  done
}

infra_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null; then
    command -v java
  else
    infra_die "java not found (Java 17 or newer is needed; set JAVA_HOME or put java on PATH)"
  fi
}

infra_require_java17() {
  local java ver major
  java="$(infra_java)"
  ver="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  major="${ver%%.*}"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    infra_die "$java is Java '$ver'; Java 17 or newer is needed (set JAVA_HOME)"
  fi
}

# infra_mvn_install SRC_DIR DEST_DIR [MVN_ARGS...]: copies the runtime dependencies of
# SRC_DIR/pom.xml into DEST_DIR/libs, once. A stamp of the pom and arguments makes it
# idempotent; the Maven repository is $MREG_INFRA_M2 (default <cache>/infra/m2).
infra_mvn_install() {
  local src="$1" dest="$2"
  shift 2
  local stamp m2="${MREG_INFRA_M2:-$INFRA_CACHE/m2}"
  command -v mvn >/dev/null || infra_die "mvn not found (Maven 3.8+ is needed to fetch jars from Maven Central)"
  stamp="$( (cat "$src/pom.xml"; printf '%s\n' "$@") | sha256sum | cut -c1-64)"
  if [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$stamp" && -d "$dest/libs" ]]; then
    return 0
  fi
  infra_log "resolving jars from Maven Central into $dest (first run only)"
  local tmp start=$SECONDS
  mkdir -p "$(dirname "$dest")"
  tmp="$(mktemp -d "${dest%/}.tmp.XXXXXX")"
  cp "$src/pom.xml" "$tmp/pom.xml"
  if ! (cd "$tmp" && mvn -B -q -Dmaven.repo.local="$m2" "$@" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1); then
    sed 's/^/    | /' "$tmp/mvn.log" | tail -n 40 >&2
    rm -rf "$tmp"
    infra_die "mvn could not resolve the jars of $src/pom.xml"
  fi
  rm -f "$tmp/mvn.log" "$tmp/pom.xml"
  printf '%s\n' "$stamp" >"$tmp/.stamp"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  infra_log "jars ready in $((SECONDS - start)) s ($(find "$dest/libs" -name '*.jar' | wc -l) jars, $(du -sh "$dest/libs" | cut -f1))"
}

infra_usage() {
  printf 'usage: %s {%s}\n' "$(basename "$0")" "$1" >&2
  exit 2
}
