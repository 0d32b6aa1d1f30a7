#!/usr/bin/env bash
# The infrastructure scripts fail clearly in the bad situations a newcomer meets: port
# already taken, Java missing, broker not ready by the deadline (log tail shown), PostgreSQL
# failing to start (log shown), a bad JVM option for the broker - and leave nothing running
# behind. Uses its own state directory and ports, so it runs beside the suite's servers.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export ORDERSOURCE_STATE_DIR="$(mktemp -d /tmp/ordersource-errors.XXXXXX)"
chmod 755 "$ORDERSOURCE_STATE_DIR"
export KAFKA_PORT=29192 KAFKA_CONTROLLER_PORT=29193 ORDERSOURCE_PG_PORT=15462
failures=0

expect_failure() {  # expect_failure <description> <pattern> <command...>
    local description=$1 pattern=$2
    shift 2
    local output status
    output="$("$@" 2>&1)"
    status=$?
    if ((status == 0)) || ! grep -qE "$pattern" <<<"$output"; then
        echo "FAIL: $description (exit $status), expected /$pattern/ in:"
        sed 's/^/    /' <<<"$output"
        failures=$((failures + 1))
    else
        echo "ok: $description"
    fi
}

cleanup() {
    "$ROOT/scripts/kafka-broker" stop >/dev/null 2>&1
    "$ROOT/scripts/postgres" stop >/dev/null 2>&1
    [[ -n ${holder_pid:-} ]] && kill "$holder_pid" 2>/dev/null
    rm -rf "$ORDERSOURCE_STATE_DIR"
}
trap cleanup EXIT

# A listener on the broker's port, held by another process.
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 29192)); s.listen(); print("ready", flush=True); time.sleep(120)' &
holder_pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/29192) 2>/dev/null && break; sleep 0.05; done
expect_failure "port already taken names the port and the variable" \
    "port 29192 .*already in use.*" "$ROOT/scripts/kafka-broker" start
kill "$holder_pid"; wait "$holder_pid" 2>/dev/null; holder_pid=

expect_failure "Java missing says how to get it" "Java not found.*scripts/setup" \
    env JAVA=/nonexistent/java "$ROOT/scripts/kafka-broker" start

expect_failure "the broker's JVM options come from KAFKA_JVM_PERFORMANCE_OPTS" \
    "Unrecognized VM option 'NotAJvmOptionOfOrdersource'" \
    env KAFKA_JVM_PERFORMANCE_OPTS="-XX:+UseG1GC -XX:+NotAJvmOptionOfOrdersource" \
    "$ROOT/scripts/kafka-broker" start

expect_failure "broker not ready by the deadline shows the log tail" \
    "last lines of .*(server|stdout)\.log.*|not ready on 127.0.0.1:29192 within 0s" \
    env KAFKA_READY_TIMEOUT_S=0 "$ROOT/scripts/kafka-broker" start
expect_failure "no half-started broker is left behind" "kafka: stopped" \
    bash -c "'$ROOT/scripts/kafka-broker' status; exit 1"

"$ROOT/scripts/postgres" start >/dev/null 2>&1 && "$ROOT/scripts/postgres" stop >/dev/null 2>&1
echo "this_is_not_a_setting = 1" >>"$ORDERSOURCE_STATE_DIR/postgres/data/postgresql.conf"
expect_failure "PostgreSQL failing to start shows its log" \
    "this_is_not_a_setting.*|did not start on 127.0.0.1:15462" "$ROOT/scripts/postgres" start
expect_failure "no PostgreSQL is left running" "postgres: stopped" \
    bash -c "'$ROOT/scripts/postgres' status; exit 1"

if ((failures)); then
    echo "$failures failed"
    exit 1
fi
echo "all infrastructure error cases behaved"
