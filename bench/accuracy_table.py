#!/usr/bin/env python3
"""Summarises bench/accuracy_campaign.sh results (one or more results.tsv):
per (nodes, epochs, loss, variant) the averaged model's test accuracy, mean
and spread over seeds, and the difference to ar-sgd's mean (loss-free runs)
or to the same variant without loss (lossy runs), at the same base lr. Markdown on stdout. Runs that failed, diverged or
collapsed (exit 0 at chance level) are listed apart, outside the means.

    python3 bench/accuracy_table.py results.tsv [more.tsv ...]
"""
import math
import statistics
import sys
from collections import defaultdict

ORDER = ["ar-sgd", "sgp-x", "sgp-z", "sgp-balanced", "osgp-reference-x", "osgp-reference-z",
         "osgp-reference-balanced", "osgp-bounded-z", "osgp-bounded-balanced", "osgp-bounded-x",
         "single"]
# An averaged model at or below this accuracy (chance on 10 classes plus a
# point) collapsed, whatever the exit code.
COLLAPSED = 0.11


def load(paths):
    runs = defaultdict(list)
    failed = []
    for path in paths:
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) < 8:
                    continue
                nodes, epochs, loss, tag, seed, rc, acc = p[:7]
                lr = float(p[11]) if len(p) > 11 else 0.1
                key = (int(nodes), int(epochs), lr, float(loss), tag)
                try:
                    a = float(acc)
                except ValueError:
                    a = math.nan
                if rc != "0" or math.isnan(a):
                    failed.append((key, seed, f"exit {rc}"))
                    a = math.nan
                elif a <= COLLAPSED:
                    # Exit 0 at chance level: the network collapsed (every
                    # value finite, the loss stuck at ln 10). Not a result.
                    failed.append((key, seed, f"collapsed at {100.0 * a:.2f} %"))
                    a = math.nan
                runs[key].append((int(seed), 100.0 * a))
    return runs, failed


def stats(values):
    ok = [v for _, v in values if not math.isnan(v)]
    if not ok:
        return math.nan, math.nan, 0
    sd = statistics.stdev(ok) if len(ok) > 1 else 0.0
    return statistics.mean(ok), sd, len(ok)


def main():
    runs, failed = load(sys.argv[1:])
    print("| nodes | epochs | base lr | loss | variant | accuracy % (mean ± sd) | seeds | min–max "
          "| vs ref |")
    print("|---|---|---|---|---|---|---|---|---|")
    keys = sorted(runs, key=lambda k: (k[3], k[1], k[0], k[2],
                                       ORDER.index(k[4]) if k[4] in ORDER else 99, k[4]))
    for key in keys:
        nodes, epochs, lr, loss, tag = key
        mean, sd, n = stats(runs[key])
        vals = [v for _, v in runs[key] if not math.isnan(v)]
        ref_key = (nodes, epochs, lr, 0.0, "ar-sgd") if loss == 0 else (nodes, epochs, lr, 0.0, tag)
        if tag == "single":
            ref_key = None
        ref = stats(runs[ref_key])[0] if ref_key in runs else math.nan
        diff = "" if ref_key is None or key == ref_key or math.isnan(ref) else f"{mean - ref:+.2f}"
        spread = f"{min(vals):.2f}–{max(vals):.2f}" if vals else ""
        bad = len(runs[key]) - n
        seeds = f"{n}" + (f" (+{bad} failed)" if bad else "")
        print(f"| {nodes} | {epochs} | {lr:g} | {loss:g} | {tag} | {mean:.2f} ± {sd:.2f} | {seeds} | "
              f"{spread} | {diff} |")
    if failed:
        print(f"\nfailed, diverged or collapsed runs: {len(failed)}")
        for key, seed, rc in failed:
            print(f"- {key} seed {seed}: {rc}")


if __name__ == "__main__":
    main()
