#!/usr/bin/env python3
"""Where a run's iterations go, from its metrics.jsonl.

For each node, the time between two of its reports is one whole iteration:
the step on the compute actor ("compute", the device wait included), the
wait for in-neighbours' messages ("comm wait"), and everything else between
two steps ("between": the worker's de-biasing and push launches, the actor
messages, scheduling). Prints the means in ms over the steady state (the
first tenth of each node's iterations left out), per node and overall.

    python3 bench/iteration_breakdown.py RUN/metrics.jsonl [MORE.jsonl ...]
"""
import json
import sys


def breakdown(path):
    reports = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            if r.get("event") == "train":
                reports.setdefault(r["node"], []).append(r)
    rows = []
    for node, rs in sorted(reports.items()):
        rs.sort(key=lambda r: r["iteration"])
        skip = max(1, len(rs) // 10)
        steady = rs[skip:]
        if len(steady) < 2:
            continue
        span = steady[-1]["time"] - rs[skip - 1]["time"]
        n = len(steady)
        compute = sum(r.get("compute", 0.0) for r in steady)
        wait = sum(r["comm_wait"] for r in steady)
        rows.append((node, span / n, compute / n, wait / n, (span - compute - wait) / n))
    return rows


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    for path in sys.argv[1:]:
        rows = breakdown(path)
        if not rows:
            print(f"{path}: no train reports")
            continue
        print(f"{path}")
        print(f"{'node':>6} {'iteration':>10} {'compute':>9} {'comm wait':>10} {'between':>9}  (ms)")
        for node, it, c, w, b in rows:
            print(f"{node:>6} {1e3 * it:>10.3f} {1e3 * c:>9.3f} {1e3 * w:>10.3f} {1e3 * b:>9.3f}")
        k = len(rows)
        means = [sum(r[i] for r in rows) / k for i in range(1, 5)]
        print(f"{'mean':>6} " + " ".join(f"{1e3 * m:>{w}.3f}" for m, w in zip(means, (10, 9, 10, 9))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
