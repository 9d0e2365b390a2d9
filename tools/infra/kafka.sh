#!/usr/bin/env bash
# Apache Kafka 4.x, single node KRaft (broker + controller), on 127.0.0.1, from Maven Central jars.
#
#   tools/infra/kafka.sh install        fetch the jars into the cache (once)
#   tools/infra/kafka.sh start          format empty storage and start; prints the bootstrap server
#   tools/infra/kafka.sh stop           stop it (SIGTERM, then SIGKILL after MREG_INFRA_STOP_TIMEOUT s)
#   tools/infra/kafka.sh status         exit 0 when running, 3 when not
#   tools/infra/kafka.sh env            export lines for a running broker
#   tools/infra/kafka.sh topics ARGS    kafka-topics against it, e.g. topics --create --topic t1
#   tools/infra/kafka.sh clean          stop it and delete its data
#
# Env: MREG_KAFKA_PORT (9092), MREG_KAFKA_CONTROLLER_PORT (9093), MREG_KAFKA_HEAP (512m),
#      MREG_KAFKA_VERSION (pom default), MREG_CACHE_DIR, MREG_INFRA_DATA, JAVA_HOME. See docs/operations/infra.md.
# shellcheck source=tools/infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" kafka

KAFKA_PORT="${MREG_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${MREG_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${MREG_KAFKA_HEAP:-512m}"
KAFKA_VERSION="${MREG_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$INFRA_SRC_DIR/kafka/pom.xml")}"
KAFKA_HOME="$INFRA_CACHE/kafka/$KAFKA_VERSION"
KAFKA_BOOTSTRAP="$INFRA_HOST:$KAFKA_PORT"

infra_check_port_number "$KAFKA_PORT"
infra_check_port_number "$KAFKA_CONTROLLER_PORT"
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || infra_die "MREG_KAFKA_PORT and MREG_KAFKA_CONTROLLER_PORT must differ"
infra_instance kafka "$KAFKA_PORT"
CONFIG="$INSTANCE_DIR/server.properties"
LOG_DIRS="$INSTANCE_DIR/kraft-logs"

kafka_install() {
  infra_require_java17
  infra_mvn_install "$INFRA_SRC_DIR/kafka" "$KAFKA_HOME" "-Dkafka.version=$KAFKA_VERSION"
}

# kafka_java [timeout SECS] MAIN_CLASS ARGS...: runs a Kafka class (a tool) in the foreground,
# logging WARN to stderr.
kafka_java() {
  local prefix=()
  if [[ "$1" == timeout ]]; then
    prefix=(timeout "$2")
    shift 2
  fi
  "${prefix[@]}" "$(infra_java)" -Xmx256m -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$INFRA_SRC_DIR/kafka/log4j2.properties" \
    -Dmreg.kafka.log.level=WARN -Dmreg.kafka.log.target=SYSTEM_ERR \
    -cp "$KAFKA_HOME/libs/*" "$@"
}

kafka_write_config() {
  mkdir -p "$INSTANCE_DIR"
  cat >"$CONFIG" <<EOF
# written by tools/infra/kafka.sh on every start; edits are lost
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$INFRA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$INFRA_HOST:$KAFKA_PORT,CONTROLLER://$INFRA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$INFRA_HOST:$KAFKA_PORT,CONTROLLER://$INFRA_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$LOG_DIRS
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.retention.hours=24
log.segment.bytes=16777216
EOF
}

kafka_format() {
  # Every start begins with empty storage: the suites create their own topics (namespaced per run), and a broker
  # keeping every topic earlier runs made (tens of thousands of partitions after a few weeks) starts ever slower
  # and stalls under the distributed suites. (The formatted metadata also names the controller endpoint.)
  local stamp="$INSTANCE_DIR/kraft-logs.controller-port"
  rm -rf "$LOG_DIRS"
  local cluster_id
  # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding (22 chars).
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
  infra_log "formatting KRaft storage in $LOG_DIRS (cluster id $cluster_id)"
  if ! kafka_java kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONFIG" >>"$LOG_FILE" 2>&1; then
    infra_log_tail 30
    rm -rf "$LOG_DIRS"
    infra_die "formatting the KRaft storage failed"
  fi
  printf '%s\n' "$KAFKA_CONTROLLER_PORT" >"$stamp"
}

# Ready = the port accepts connections AND a metadata request (kafka-topics --list) answers.
kafka_ready() {
  infra_port_open "$KAFKA_PORT" || return 1
  kafka_java timeout 60 org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list \
    >/dev/null 2>>"$INSTANCE_DIR/ready-check.log"
}

kafka_start() {
  infra_lock
  if infra_running; then
    infra_wait_ready kafka_ready "already running, metadata request answered"
    printf '%s\n' "$KAFKA_BOOTSTRAP"
    return 0
  fi
  infra_refuse_busy_port "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
  kafka_install
  kafka_write_config
  kafka_format
  rm -f "$INSTANCE_DIR/ready-check.log"
  infra_log "starting Kafka $KAFKA_VERSION on $KAFKA_BOOTSTRAP (controller $INFRA_HOST:$KAFKA_CONTROLLER_PORT, heap $KAFKA_HEAP)"
  infra_launch "$(infra_java)" "-Xmx$KAFKA_HEAP" "-Xms$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$INFRA_SRC_DIR/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$INSTANCE_DIR" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$CONFIG"
  infra_wait_ready kafka_ready "ready: port open and metadata request answered"
  printf '%s\n' "$KAFKA_BOOTSTRAP"
}

kafka_status() {
  local pid
  if pid="$(infra_pid)"; then
    infra_log "running: pid $pid, bootstrap $KAFKA_BOOTSTRAP, data $INSTANCE_DIR"
    printf '%s\n' "$KAFKA_BOOTSTRAP"
    return 0
  fi
  infra_log "not running (port $KAFKA_PORT)"
  return 3
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
install)
  kafka_install
  infra_log "Kafka $KAFKA_VERSION installed in $KAFKA_HOME"
  ;;
start) kafka_start ;;
stop)
  infra_lock
  infra_stop
  ;;
status) kafka_status ;;
env)
  kafka_status >/dev/null 2>&1 || infra_die "Kafka is not running on port $KAFKA_PORT (run: tools/infra/kafka.sh start)"
  printf 'export MREG_KAFKA_BROKERS=%q\n' "$KAFKA_BOOTSTRAP"
  ;;
topics)
  infra_running || infra_die "Kafka is not running on port $KAFKA_PORT"
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" "$@"
  ;;
clean) infra_clean ;;
*) infra_usage "install|start|stop|status|env|topics ARGS|clean" ;;
esac
