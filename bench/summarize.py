"""Turns bench/run's raw tool output lines into one table with Flod/Kafka ratios."""
import re
import sys

rows = {}
for line in open(sys.argv[1]):
    scenario, broker, raw = line.rstrip("\n").split("|", 2)
    rows.setdefault(scenario, {})[broker] = raw


def producer(raw):
    m = re.search(r"([\d.]+) records/sec \(([\d.]+) MB/sec\).*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th", raw)
    return {"records/s": float(m[1]), "MB/s": float(m[2]), "p50 ms": float(m[3]), "p99 ms": float(m[5])} if m else None


def consumer_perf(raw):
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
    parts = [p.strip() for p in raw.split(",")]
    try:
        return {"records/s": float(parts[5]), "MB/s": float(parts[3]), "records": float(parts[4])}
    except (IndexError, ValueError):
        return None


def assigned(raw):
    m = re.search(r"records=(\d+) seconds=([\d.]+) records/sec=([\d.]+) MB/sec=([\d.]+)", raw)
    return {"records/s": float(m[3]), "MB/s": float(m[4]), "records": float(m[1])} if m else None


def group(raw):
    m = re.search(r"records=(\d+) seconds=([\d.]+) records/sec=([\d.]+) MB/sec=([\d.]+) join.ms=([\d.]+)", raw)
    return {"records/s": float(m[3]), "MB/s": float(m[4]), "join ms": float(m[5])} if m else None


def e2e(raw):
    m = re.search(r"Avg latency: ([\d.]+) ms.*50th = (\d+), 99th = (\d+)", raw)
    return {"avg ms": float(m[1]), "p50 ms": float(m[2]), "p99 ms": float(m[3])} if m else None


def failover(raw):
    m = re.search(r"p50_ms=(\d+) max_ms=(\d+)", raw)
    return {"p50 ms": float(m[1]), "max ms": float(m[2])} if m else None


print(f"{'scenario':<48} {'metric':<10} {'Kafka':>12} {'Flod':>12} {'Flod/Kafka':>11}")
for scenario, by in rows.items():
    if scenario.startswith("failover"):
        parse = failover
    elif scenario.startswith("produce"):
        parse = producer
    elif "ConsumerPerformance" in scenario:
        parse = consumer_perf
    elif "assign" in scenario:
        parse = assigned
    elif "in a group" in scenario:
        parse = group
    else:
        parse = e2e
    k, f = parse(by.get("kafka", "")), parse(by.get("flod", ""))
    if k is None or f is None:
        for name, raw, parsed in (("Kafka", by.get("kafka", ""), k), ("Flod", by.get("flod", ""), f)):
            if parsed is None:
                print(f"{scenario:<48} {name} did not complete: {raw[:100]}")
        if k is None or f is None:
            continue
    for metric in k:
        if metric == "records":
            continue
        ratio = f"{f[metric] / k[metric]:>10.2f}x" if k[metric] else f"{'-':>11}"
        print(f"{scenario:<48} {metric:<10} {k[metric]:>12.2f} {f[metric]:>12.2f} {ratio}")
