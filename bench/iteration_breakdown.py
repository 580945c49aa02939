#!/usr/bin/env python3
"""Where a run's iterations go, from its metrics.jsonl.

For each node, the time between two of its reports is one whole iteration:
forward/backward on the compute actor ("compute", the device wait
included), the wait for in-neighbours' messages ("comm wait"), and
everything else between two steps ("between": the optimizer step's launch,
the worker's de-biasing and push launches, the actor messages, scheduling).
Prints the means in ms over the steady state, per node and overall. As in
the run summary, the steady state starts at each node's report a tenth of
its iterations in.

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
        start = rs[skip]
        steady = rs[skip + 1 :]  # each report closes the interval before it
        if not steady:
            continue
        span = steady[-1]["time"] - start["time"]
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
