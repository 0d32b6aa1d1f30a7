# shellcheck shell=bash
# Shared by every script in scripts/: paths, defaults and small helpers.
# Every setting is an environment variable with a default, so tests can run a
# second, private set of servers beside a developer's cluster (scripts/test does).

ORDERSOURCE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ORDERSOURCE_ROOT

# Downloaded artefacts (Kafka jars) live here; data of running servers lives in STATE_DIR.
: "${ORDERSOURCE_CACHE_DIR:=$ORDERSOURCE_ROOT/.cache}"
: "${ORDERSOURCE_STATE_DIR:=$ORDERSOURCE_ROOT/.local/dev}"
: "${ORDERSOURCE_PRESET:=release}"
# Fixed ports stay below the ephemeral range 32768-60999 (docs/adr/0004).
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${KAFKA_READY_TIMEOUT_S:=90}"
: "${ORDERSOURCE_PG_PORT:=15432}"
# The Java runtime that runs Kafka and its tools (any JDK/JRE 17+).
: "${JAVA:=java}"
# The broker's JVM options, under the names Kafka's own start scripts read.
: "${KAFKA_HEAP_OPTS:=-Xms512m -Xmx1g}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
: "${PG_READY_TIMEOUT_S:=60}"
: "${ORDERSOURCE_PG_USER:=ordersource}"
# Local-only development password; production passes its own through the environment.
: "${ORDERSOURCE_PG_PASSWORD:=ordersource}"
export JAVA ORDERSOURCE_CACHE_DIR ORDERSOURCE_STATE_DIR ORDERSOURCE_PRESET KAFKA_PORT \
    KAFKA_CONTROLLER_PORT ORDERSOURCE_PG_PORT ORDERSOURCE_PG_USER ORDERSOURCE_PG_PASSWORD

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' \
    "$ORDERSOURCE_ROOT/deploy/kafka/pom.xml")"
KAFKA_LIB_DIR="$ORDERSOURCE_CACHE_DIR/kafka/$KAFKA_VERSION/lib"
KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
# What the C++ programs read (shared/core config); scripts and binaries agree on one source.
: "${ORDERSOURCE_KAFKA_BOOTSTRAP:=$KAFKA_BOOTSTRAP}"
: "${ORDERSOURCE_PG_HOST:=127.0.0.1}"
BUILD_DIR="$ORDERSOURCE_ROOT/build/$ORDERSOURCE_PRESET"
export KAFKA_VERSION KAFKA_LIB_DIR KAFKA_BOOTSTRAP BUILD_DIR ORDERSOURCE_KAFKA_BOOTSTRAP ORDERSOURCE_PG_HOST

log() { printf '%s %s\n' "[$(basename "$0")]" "$*" >&2; }
die() { printf '%s error: %s\n' "[$(basename "$0")]" "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails with a message naming the process that holds the port, if any does.
require_free_port() {
    local port=$1 what=$2
    if port_open "$port"; then
        local holder
        holder="$(ss -ltnpH "sport = :$port" 2>/dev/null | awk '{print $NF}' | head -n1)"
        die "port $port (needed by $what) is already in use${holder:+ by $holder}." \
            "Stop that process or choose another port with the variable named in README.md."
    fi
}

# True while the process whose pid is stored in file $1 is alive.
pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Sends SIGTERM to the pid in file $1 and waits up to $2 seconds, then SIGKILL.
stop_pid_file() {
    local pid_file=$1 timeout_s=$2 what=$3
    if ! pid_alive "$pid_file"; then rm -f "$pid_file"; return 0; fi
    local pid; pid="$(cat "$pid_file")"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout_s))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "$what (pid $pid) did not stop within ${timeout_s}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "$pid_file"
}

require_java() {
    command -v "$JAVA" >/dev/null 2>&1 ||
        die "Java not found (JAVA=$JAVA). Kafka needs Java 17 or newer: run scripts/setup" \
            "(installs openjdk-17-jre-headless) or point JAVA at a Java 17+ runtime."
    local major
    major="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
    [[ -n $major && $major -ge 17 ]] ||
        die "Java $major found, Kafka $KAFKA_VERSION needs Java 17 or newer."
}

require_kafka_jars() {
    [[ -f $KAFKA_LIB_DIR/.complete ]] ||
        die "Kafka $KAFKA_VERSION jars are not in $KAFKA_LIB_DIR; run scripts/setup first."
}

# The JVM flags for short-lived CLI tools: small heap, fast start, logs to stderr only.
kafka_tool_java() {
    require_java
    require_kafka_jars
    exec "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dlog4j2.configurationFile="$ORDERSOURCE_ROOT/deploy/kafka/log4j2-tools.properties" \
        -cp "$KAFKA_LIB_DIR/*" "$@"
}

# True if "$@" already names a bootstrap server, so wrappers only add the local default.
has_bootstrap_arg() {
    local a
    for a in "$@"; do
        case $a in --bootstrap-server | --bootstrap-server=* | --broker-list) return 0 ;; esac
    done
    return 1
}

# Kafka 4.2+ deprecates the console tools' --property in favour of --formatter-property
# (consumer) and --reader-property (producer), and the consumer prints that warning on
# STDOUT, among the records. The wrappers rename the flag so the familiar spelling keeps
# stdout clean. Prints the rewritten arguments NUL-separated.
rename_property_flag() {
    local new_flag=$1 a
    shift
    for a in "$@"; do
        case $a in
        --property) printf '%s\0' "$new_flag" ;;
        --property=*) printf '%s\0' "$new_flag=${a#--property=}" ;;
        *) printf '%s\0' "$a" ;;
        esac
    done
}
