#!/usr/bin/env bash
# An S3 API server on 127.0.0.1: s3proxy (Maven Central, filesystem blob store), or the npm
# package s3rver when s3proxy cannot be installed or started.
#
#   tools/infra/s3.sh install     fetch s3proxy (or s3rver, with MREG_S3_IMPL=s3rver) into the cache (once)
#   tools/infra/s3.sh start       start it, create the default bucket; prints the endpoint URL
#                                 (credentials on stderr, and with `env`)
#   tools/infra/s3.sh stop        stop it (SIGTERM, then SIGKILL after MREG_INFRA_STOP_TIMEOUT s)
#   tools/infra/s3.sh status      exit 0 when running, 3 when not
#   tools/infra/s3.sh env         export lines (endpoint, keys, bucket, region) for a running server
#   tools/infra/s3.sh clean       stop it and delete its data
#
# Env: MREG_S3_PORT (9000), MREG_S3_IMPL (auto|s3proxy|s3rver; auto = s3proxy, else s3rver),
#      MREG_S3_ACCESS_KEY / MREG_S3_SECRET_KEY (s3proxy only; s3rver's are fixed: S3RVER/S3RVER),
#      MREG_S3_BUCKET (mreg-test), MREG_S3PROXY_VERSION, MREG_S3_HEAP (256m), MREG_CACHE_DIR,
#      MREG_INFRA_DATA, JAVA_HOME. See docs/operations/infra.md.
# shellcheck source=tools/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" s3

S3_PORT="${MREG_S3_PORT:-9000}"
S3_IMPL="${MREG_S3_IMPL:-auto}"
S3_BUCKET="${MREG_S3_BUCKET:-mreg-test}"
S3_REGION=us-east-1
S3_HEAP="${MREG_S3_HEAP:-256m}"
S3_ENDPOINT="http://$INFRA_HOST:$S3_PORT"
S3PROXY_VERSION="${MREG_S3PROXY_VERSION:-$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' "$INFRA_SRC_DIR/s3proxy/pom.xml")}"
S3PROXY_HOME="$INFRA_CACHE/s3proxy/$S3PROXY_VERSION"
S3RVER_VERSION=3.7.1
S3RVER_HOME="$INFRA_CACHE/s3rver/$S3RVER_VERSION"
S3RVER_BIN="$S3RVER_HOME/node_modules/s3rver/bin/s3rver.js"

infra_check_port_number "$S3_PORT"
[[ "$S3_IMPL" =~ ^(auto|s3proxy|s3rver)$ ]] || infra_die "MREG_S3_IMPL must be auto, s3proxy or s3rver (not '$S3_IMPL')"
[[ "$S3_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || infra_die "MREG_S3_BUCKET '$S3_BUCKET' is not a valid S3 bucket name"
infra_instance s3 "$S3_PORT"
ENV_FILE="$INSTANCE_DIR/s3.env"

s3proxy_install() {
  infra_require_java17
  infra_mvn_install "$INFRA_SRC_DIR/s3proxy" "$S3PROXY_HOME" "-Ds3proxy.version=$S3PROXY_VERSION"
}

s3rver_install() {
  [[ -f "$S3RVER_BIN" ]] && return 0
  command -v node >/dev/null || infra_die "node not found (needed for s3rver)"
  command -v npm >/dev/null || infra_die "npm not found (needed to install s3rver)"
  infra_log "installing s3rver@$S3RVER_VERSION from npm into $S3RVER_HOME (first run only)"
  mkdir -p "$(dirname "$S3RVER_HOME")"
  local tmp
  tmp="$(mktemp -d "$S3RVER_HOME.tmp.XXXXXX")"
  if ! npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock \
    "s3rver@$S3RVER_VERSION" >"$tmp/npm.log" 2>&1; then
    sed 's/^/    | /' "$tmp/npm.log" | tail -n 30 >&2
    rm -rf "$tmp"
    infra_die "npm install s3rver@$S3RVER_VERSION failed"
  fi
  rm -f "$tmp/npm.log"
  rm -rf "$S3RVER_HOME"
  mv "$tmp" "$S3RVER_HOME"
}

s3_alive() { infra_http_alive "$S3_PORT"; }

# Credentials are written next to the PID file, so that `env` and `status` report the running server's.
s3_write_env() {
  cat >"$ENV_FILE" <<EOF
S3_RUNNING_IMPL=$1
S3_RUNNING_ACCESS_KEY=$2
S3_RUNNING_SECRET_KEY=$3
S3_RUNNING_BUCKET=$S3_BUCKET
EOF
}

s3proxy_start() {
  local access="${MREG_S3_ACCESS_KEY:-mreg-access-key}" secret="${MREG_S3_SECRET_KEY:-mreg-secret-key}"
  s3proxy_install
  mkdir -p "$INSTANCE_DIR/blobs/$S3_BUCKET" # the filesystem store keeps one folder per bucket
  cat >"$INSTANCE_DIR/s3proxy.properties" <<EOF
# written by tools/infra/s3.sh on every start; edits are lost
s3proxy.endpoint=$S3_ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
s3proxy.cors-allow-all=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$INSTANCE_DIR/blobs
jclouds.identity=$access
jclouds.credential=$secret
EOF
  s3_write_env s3proxy "$access" "$secret"
  infra_log "starting s3proxy $S3PROXY_VERSION on $S3_ENDPOINT (filesystem store in $INSTANCE_DIR/blobs)"
  infra_launch "$(infra_java)" "-Xmx$S3_HEAP" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlogback.configurationFile="$INFRA_SRC_DIR/s3proxy/logback.xml" \
    -cp "$S3PROXY_HOME/libs/*" org.gaul.s3proxy.Main --properties "$INSTANCE_DIR/s3proxy.properties"
  infra_wait_ready s3_alive "ready: S3 API answers"
}

s3rver_start() {
  if [[ -n "${MREG_S3_ACCESS_KEY:-}${MREG_S3_SECRET_KEY:-}" ]]; then
    infra_log "note: s3rver ignores MREG_S3_ACCESS_KEY/MREG_S3_SECRET_KEY; its keys are S3RVER/S3RVER"
  fi
  s3rver_install
  mkdir -p "$INSTANCE_DIR/s3rver"
  s3_write_env s3rver S3RVER S3RVER
  infra_log "starting s3rver $S3RVER_VERSION on $S3_ENDPOINT (files in $INSTANCE_DIR/s3rver)"
  infra_launch node "$S3RVER_BIN" --address "$INFRA_HOST" --port "$S3_PORT" \
    --directory "$INSTANCE_DIR/s3rver" --configure-bucket "$S3_BUCKET" --no-vhost-buckets
  infra_wait_ready s3_alive "ready: S3 API answers"
}

s3_report() {
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  [[ "${_MREG_INFRA_LOCK_HELD:-}" == 1 ]] || infra_log "$S3_RUNNING_IMPL: endpoint $S3_ENDPOINT, access key $S3_RUNNING_ACCESS_KEY, secret key $S3_RUNNING_SECRET_KEY, bucket $S3_RUNNING_BUCKET, region $S3_REGION, path-style addressing"
  printf '%s\n' "$S3_ENDPOINT"
}

s3_start() {
  infra_lock
  if infra_running && [[ -f "$ENV_FILE" ]]; then
    infra_wait_ready s3_alive "already running, S3 API answers"
    s3_report
    return 0
  fi
  infra_refuse_busy_port "$S3_PORT"
  rm -f "$ENV_FILE"
  case "$S3_IMPL" in
  s3proxy) s3proxy_start ;;
  s3rver) s3rver_start ;;
  auto)
    # s3proxy in a child process (same lock, held by us), so that its failure can be caught.
    if ! _MREG_INFRA_LOCK_HELD=1 MREG_S3_IMPL=s3proxy bash "${BASH_SOURCE[0]}" start >/dev/null; then
      infra_log "s3proxy could not be installed or started: falling back to s3rver (npm)"
      s3rver_start
    fi
    ;;
  esac
  s3_report
}

s3_status() {
  local pid
  if pid="$(infra_pid)" && [[ -f "$ENV_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$ENV_FILE"
    infra_log "running: $S3_RUNNING_IMPL, pid $pid, $S3_ENDPOINT, data $INSTANCE_DIR"
    printf '%s\n' "$S3_ENDPOINT"
    return 0
  fi
  infra_log "not running (port $S3_PORT)"
  return 3
}

case "${1:-}" in
install)
  if [[ "$S3_IMPL" == s3rver ]]; then
    s3rver_install
    infra_log "s3rver $S3RVER_VERSION installed in $S3RVER_HOME"
  elif [[ "$S3_IMPL" == s3proxy ]]; then
    s3proxy_install
    infra_log "s3proxy $S3PROXY_VERSION installed in $S3PROXY_HOME"
  elif (MREG_S3_IMPL=s3proxy bash "${BASH_SOURCE[0]}" install); then
    :
  else
    infra_log "s3proxy could not be installed: installing s3rver (npm) instead"
    s3rver_install
    infra_log "s3rver $S3RVER_VERSION installed in $S3RVER_HOME"
  fi
  ;;
start) s3_start ;;
stop)
  infra_lock
  infra_stop
  ;;
status) s3_status ;;
env)
  s3_status >/dev/null 2>&1 || infra_die "no S3 server is running on port $S3_PORT (run: tools/infra/s3.sh start)"
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  printf 'export MREG_S3_ENDPOINT=%q\n' "$S3_ENDPOINT"
  printf 'export MREG_S3_ACCESS_KEY=%q\n' "$S3_RUNNING_ACCESS_KEY"
  printf 'export MREG_S3_SECRET_KEY=%q\n' "$S3_RUNNING_SECRET_KEY"
  printf 'export MREG_S3_BUCKET=%q\n' "$S3_RUNNING_BUCKET"
  printf 'export MREG_S3_REGION=%q\n' "$S3_REGION"
  ;;
clean) infra_clean ;;
*) infra_usage "install|start|stop|status|env|clean" ;;
esac
