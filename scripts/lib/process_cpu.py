#!/usr/bin/env python3
"""CPU time of the cluster's processes, by group, between two snapshots (for scripts/bench).

  process_cpu.py snapshot [--label PID=GROUP ...] [--threads GROUP ...] > before.json
  process_cpu.py diff before.json after.json      -> {"group": cpu_seconds, ...}
  process_cpu.py --self-test

Groups: the four services by binary name, "broker" (the JVM started by scripts/kafka-broker),
"pg:<database>" for PostgreSQL backends (from their process titles), "pg:background" for the
server's other processes (WAL writer, checkpointer, autovacuum, ...), unless --label names a
pid's group. A process that starts between the snapshots counts whole; one that exits before
the second is missed, so clients that come and go (wrk, ProducerPerformance) are timed by
their caller instead (times, in scripts/bench). --threads GROUP adds that group's threads as
"GROUP/<thread name>" (the services name theirs: core/thread_name.hpp), beside the group's
own total, which still counts them all.
"""
import json
import os
import subprocess
import sys
import time

SERVICES = {"gateway", "order-service", "payment-service", "notification-observer"}


def group_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return None
    return group_of_argv([w.decode(errors="replace") for w in argv if w])


def group_of_argv(words):
    if not words:
        return None
    if any("kafka.logs.dir" in w for w in words):
        return "broker"
    # A backend's title is one string: "postgres: <user> <database> <host>(<port>) <state>".
    title = words[0].split()
    if title[0] == "postgres:":
        return "pg:" + title[2] if len(title) >= 4 and "(" in title[3] else "pg:background"
    name = os.path.basename(words[0])
    if name == "postgres":
        return "pg:background"  # the postmaster
    return name if name in SERVICES else None


def ticks_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def thread_ticks(pid):
    """{tid: (name, ticks)} of a process's threads."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        threads[tid] = (name, ticks_of(f"{pid}/task/{tid}"))
    return threads


def snapshot(labels, threads_of=()):
    processes = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        group = labels.get(pid) or group_of(pid)
        if group is None:
            continue
        try:
            processes[pid] = {"group": group, "ticks": ticks_of(pid)}
            if group in threads_of:
                for tid, (name, ticks) in thread_ticks(pid).items():
                    processes[f"{pid}/{tid}"] = {"group": f"{group}/{name}", "ticks": ticks}
        except OSError:
            continue  # exited while being read
    return processes


def diff(before, after):
    hz = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid, process in after.items():
        start = before.get(pid, {}).get("ticks", 0)
        seconds[process["group"]] = seconds.get(process["group"], 0) + (process["ticks"] - start) / hz
    return {group: round(value, 3) for group, value in sorted(seconds.items())}


def self_test():
    assert group_of_argv(["postgres: ordersource gateway 127.0.0.1(50510) idle"]) == "pg:gateway"
    assert group_of_argv(["postgres: checkpointer "]) == "pg:background"
    assert group_of_argv(["postgres: autovacuum worker gateway"]) == "pg:background"
    assert group_of_argv(["/usr/lib/postgresql/15/bin/postgres", "-D", "/data"]) == "pg:background"
    assert group_of_argv(["java", "-Dkafka.logs.dir=/x", "kafka.Kafka", "server.properties"]) == "broker"
    assert group_of_argv(["/build/apps/gateway/gateway"]) == "gateway"
    assert group_of_argv(["/usr/bin/python3", "gateway"]) is None
    assert group_of_argv([]) is None
    # A child named like a service burns about 0.3 s of CPU between two snapshots; another
    # labelled by pid is counted under its label.
    spin = ("import ctypes, sys, time\n"
            "ctypes.CDLL(None).prctl(15, b'spinner', 0, 0, 0)\n"  # PR_SET_NAME
            "end = time.process_time() + 0.3\n"
            "while time.process_time() < end: pass\nsys.stdin.read()")
    idle = "import sys; sys.stdin.read()"
    labelled = subprocess.Popen(["notification-observer", "-c", idle], executable=sys.executable,
                                stdin=subprocess.PIPE)
    labels = {str(labelled.pid): "labelled"}
    before = snapshot(labels, {"order-service"})
    busy = subprocess.Popen(["order-service", "-c", spin], executable=sys.executable,
                            stdin=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:  # both stay alive until their stdin closes, so the snapshot sees them
        after = snapshot(labels, {"order-service"})
        if after.get(str(busy.pid), {}).get("ticks", 0) >= 0.28 * os.sysconf("SC_CLK_TCK"):
            break
        assert time.monotonic() < deadline, "the spinning child never used 0.3 s of CPU"
        time.sleep(0.01)
    busy.communicate(b"")
    labelled.communicate(b"")
    # Only the two children: real services may be running beside the test (ctest runs in parallel).
    ours = {str(busy.pid), str(labelled.pid)}
    mine = lambda key: key.split("/")[0] in ours
    seconds = diff({p: v for p, v in before.items() if mine(p)},
                   {p: v for p, v in after.items() if mine(p)})
    assert set(seconds) == {"order-service", "order-service/spinner", "labelled"}, seconds
    assert 0.25 <= seconds["order-service"] < 1.0, seconds
    assert 0.25 <= seconds["order-service/spinner"] <= seconds["order-service"], seconds
    print("ok")


def main(argv):
    if argv == ["--self-test"]:
        self_test()
        return
    if len(argv) >= 1 and argv[0] == "snapshot":
        labels, threads_of = {}, set()
        rest = argv[1:]
        while rest:
            if rest[0] == "--threads" and len(rest) >= 2:
                threads_of.add(rest[1])
            elif rest[0] == "--label" and len(rest) >= 2 and "=" in rest[1]:
                pid, group = rest[1].split("=", 1)
                labels[pid] = group
            else:
                sys.exit(f"process_cpu.py: unexpected argument {rest[0]!r}")
            rest = rest[2:]
        json.dump(snapshot(labels, threads_of), sys.stdout)
    elif len(argv) == 3 and argv[0] == "diff":
        with open(argv[1]) as b, open(argv[2]) as a:
            json.dump(diff(json.load(b), json.load(a)), sys.stdout)
    else:
        sys.exit(__doc__)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
