#!/usr/bin/python3
"""Reads Prometheus text exposition (0.0.4) on stdin and checks it with the official parser
(prometheus_client, Debian package python3-prometheus-client) plus the histogram rules the
parser does not enforce: cumulative buckets ending in +Inf whose count equals _count.
Exit 0 and a summary when valid; exit 1 with the reason otherwise. Usage:
    <program printing metrics> | check_prometheus_text.py [required metric names...]"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def fail(message):
    print(f"check_prometheus_text: {message}", file=sys.stderr)
    sys.exit(1)


text = sys.stdin.read()
if not text.endswith("\n"):
    fail("exposition must end with a newline")
try:
    families = list(text_string_to_metric_families(text))
except Exception as error:  # the parser raises ValueError and friends
    fail(f"parse error: {error}")

seen = {family.name for family in families}
for required in sys.argv[1:]:
    # The parser names a counter family without its _total suffix.
    if required not in seen and required.removesuffix("_total") not in seen:
        fail(f"metric {required} missing (have: {sorted(seen)})")

for family in families:
    if family.type != "histogram":
        continue
    series = {}
    for sample in family.samples:
        key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        series.setdefault(key, {"buckets": [], "count": None})
        if sample.name.endswith("_bucket"):
            series[key]["buckets"].append((float(sample.labels["le"]), sample.value))
        elif sample.name.endswith("_count"):
            series[key]["count"] = sample.value
    for key, data in series.items():
        buckets = data["buckets"]
        if not buckets or buckets[-1][0] != float("inf"):
            fail(f"{family.name}{dict(key)}: buckets must end with le=+Inf")
        values = [value for _, value in buckets]
        if values != sorted(values):
            fail(f"{family.name}{dict(key)}: buckets are not cumulative: {values}")
        if data["count"] != values[-1]:
            fail(f"{family.name}{dict(key)}: _count {data['count']} != +Inf bucket {values[-1]}")

print(f"ok: {len(families)} metric families parsed")
