#!/usr/bin/env python3
"""Quantiles of Prometheus histograms between two scrapes of one /metrics endpoint.

    histogram_quantiles.py BEFORE AFTER NAME[:LABEL=VALUE] ...   JSON on stdout
    histogram_quantiles.py --self-test

For each histogram it prints {"count", "p50_ms", "p90_ms", "p99_ms"} of the observations made
between the two scrapes (the difference of their buckets). A quantile is interpolated linearly
inside its bucket, as PromQL's histogram_quantile() does, so it is only as fine as the buckets;
one that falls in the +Inf bucket is reported as the highest finite bound.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def buckets(text, name, label=None):
    """{upper bound: cumulative count} of histogram `name`, the child matching `label`."""
    found = {}
    for family in text_string_to_metric_families(text):
        if family.name != name or family.type != "histogram":
            continue
        for sample in family.samples:
            if sample.name != name + "_bucket":
                continue
            labels = dict(sample.labels)
            if label and labels.get(label[0]) != label[1]:
                continue
            bound = float(labels["le"])
            found[bound] = found.get(bound, 0) + sample.value
    return found


def quantile(cumulative, q):
    bounds = sorted(cumulative)
    total = cumulative[bounds[-1]] if bounds else 0
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for bound in bounds:
        count = cumulative[bound]
        if count >= rank:
            if bound == float("inf"):
                return lower
            inside = count - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, count
    return lower


def between(before, after, name, label=None):
    start, end = buckets(before, name, label), buckets(after, name, label)
    delta = {bound: end[bound] - start.get(bound, 0) for bound in end}
    total = delta.get(float("inf"), 0)
    result = {"count": int(total)}
    for q in (0.5, 0.9, 0.99):
        value = quantile(delta, q)
        result[f"p{int(q * 100)}_ms"] = None if value is None else round(value * 1000, 2)
    return result


def parse_spec(spec):
    name, _, label = spec.partition(":")
    return name, tuple(label.split("=", 1)) if label else None


def self_test():
    def scrape(counts):
        bounds = ["0.001", "0.01", "0.1", "+Inf"]
        lines = ["# TYPE t histogram"]
        lines += [f't_bucket{{route="a",le="{b}"}} {c}' for b, c in zip(bounds, counts)]
        lines += [f't_bucket{{route="b",le="{b}"}} 7' for b in bounds]
        lines += [f't_sum{{route="a"}} 1', f't_count{{route="a"}} {counts[-1]}']
        return "\n".join(lines) + "\n"

    # 100 observations after the first scrape: 50 up to 1 ms, 40 in (1, 10] ms, 9 in (10, 100],
    # 1 above 100 ms.
    before, after = scrape([10, 10, 10, 10]), scrape([60, 100, 109, 110])
    got = between(before, after, "t", ("route", "a"))
    want = {"count": 100, "p50_ms": 1.0, "p90_ms": 10.0, "p99_ms": 100.0}
    assert got == want, got
    got = between(before, after, "t", None)  # both children summed
    assert got["count"] == 100 and got["p50_ms"] == 1.0, got
    assert between(after, after, "t", ("route", "a"))["p99_ms"] is None
    assert abs(quantile({0.001: 0, 0.01: 100, float("inf"): 100}, 0.5) - 0.0055) < 1e-12
    assert quantile({0.01: 0, float("inf"): 10}, 0.99) == 0.01  # in +Inf: the highest bound
    print("ok")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = open(argv[1]).read(), open(argv[2]).read()
    result = {}
    for spec in argv[3:]:
        name, label = parse_spec(spec)
        result[name if not label else f"{name}:{label[0]}={label[1]}"] = between(
            before, after, name, label)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
