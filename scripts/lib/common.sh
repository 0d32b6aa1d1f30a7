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

# True while process $1 runs. A process that has exited stays a zombie until its parent
# reaps it, and a server whose starting script has exited is reaped by PID 1, which on some
# machines does so only every second or two (measured here: exited 0.24 s after SIGTERM,
# gone 1.9 s after); so a zombie counts as stopped.
process_running() {
    local state
    state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n $state && ${state:0:1} != Z ]]
}

# True while the process whose pid is stored in file $1 is alive.
pid_alive() { [[ -f $1 ]] && process_running "$(cat "$1")"; }

# Sends SIGTERM to the pid in file $1 and waits up to $2 seconds, then SIGKILL.
stop_pid_file() {
    local pid_file=$1 timeout_s=$2 what=$3
    if ! pid_alive "$pid_file"; then rm -f "$pid_file"; return 0; fi
    local pid; pid="$(cat "$pid_file")"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout_s))
    while process_running "$pid"; do
        if ((SECONDS >= deadline)); then
            log "$what (pid $pid) did not stop within ${timeout_s}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.05
    done
    rm -f "$pid_file"
}

SERVICE_DIR="$ORDERSOURCE_STATE_DIR/services"
# The ports the apps listen on by default; an exported variable of the same name wins.
declare -gA SERVICE_DEFAULT_PORT=([ORDER_SERVICE_PORT]=8081 [PAYMENT_SERVICE_PORT]=8082
    [NOTIFIER_PORT]=8083 [GATEWAY_PORT]=8080)
service_port() { # port variable
    local variable=$1
    echo "${!variable:-${SERVICE_DEFAULT_PORT[$variable]}}"
}

# Starts service $1 of deploy/services.txt in its own session, its pid in $SERVICE_DIR/$1.pid
# and its output appended to $SERVICE_DIR/$1.log, and returns once it listens on its port.
# A service that exits instead is reported with its log. Settings come from the environment,
# so `PAYMENT_SNAPSHOT_EVERY=0 start_service payment-service` starts it with that one changed.
start_service() {
    local name=$1 executable port_variable port deadline pid_file="$SERVICE_DIR/$1.pid"
    read -r _ executable port_variable <<<"$(awk -v name="$name" '$1 == name' \
        "$ORDERSOURCE_ROOT/deploy/services.txt")"
    [[ -n $port_variable ]] || die "no service $name in deploy/services.txt"
    port="$(service_port "$port_variable")"
    [[ -x $BUILD_DIR/$executable ]] || die "$name: $BUILD_DIR/$executable not built"
    require_free_port "$port" "$name ($port_variable)"
    mkdir -p "$SERVICE_DIR"
    setsid env "$port_variable=$port" "$BUILD_DIR/$executable" </dev/null \
        >>"$SERVICE_DIR/$name.log" 2>&1 &
    echo $! >"$pid_file"
    deadline=$((SECONDS + 60))
    until port_open "$port"; do
        if ! pid_alive "$pid_file"; then
            tail -n 20 "$SERVICE_DIR/$name.log" >&2
            die "$name exited during start-up (log above)"
        fi
        ((SECONDS < deadline)) || die "$name did not listen on port $port within 60 s"
        sleep 0.05
    done
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
