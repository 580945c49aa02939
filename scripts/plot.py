#!/usr/bin/env python3
"""Plots and CSV tables from sgp run directories (docs/metrics.md).

    python3 scripts/plot.py RUN_DIR [RUN_DIR...] --out DIR

Writes to DIR: loss.png (per node, thin, and the mean over nodes, thick),
accuracy.png (test accuracy per node and of the averaged model),
consensus.png (consensus distance), comm_wait.png (seconds waited per
iteration, mean over nodes), weight.png (push-sum weight w per node), every
plot with the run's faults and console actions marked; several runs are
overlaid, one colour each. And the tables train.csv, eval.csv,
consensus.csv, events.csv and summary.csv, with a `run` column.

Needs matplotlib (Debian: python3-matplotlib; scripts/setup.sh installs it).
"""
import argparse
import csv
import json
import os
import sys

TRAIN_FIELDS = ["iteration", "epoch", "time", "loss", "lr", "w", "comm_wait", "compute",
                "bytes_sent", "messages_late", "messages_lost", "messages_duplicate"]
EVAL_FIELDS = ["iteration", "epoch", "time", "test_loss", "test_accuracy"]
EVENT_FIELDS = ["event", "source", "iteration", "time", "action", "command", "result"]


def fail(message):
    print(f"plot.py: error: {message}", file=sys.stderr)
    sys.exit(1)


class run_data:
    """One run directory: its metrics lines by event, and its summary."""

    def __init__(self, directory):
        self.dir = directory
        path = os.path.join(directory, "metrics.jsonl")
        if not os.path.isfile(path):
            fail(f"{path}: no such file (is {directory} a run directory?)")
        self.train, self.eval, self.consensus, self.events = [], [], [], []
        seen = set()
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as e:
                    fail(f"{path}:{number}: not JSON ({e.msg})")
                kind = row.get("event")
                if kind == "train" and row["iteration"] == 1 and row["node"] in seen:
                    # A new run in the same directory (metrics.jsonl is appended
                    # to; a resume continues the iterations): keep the last.
                    self.train, self.eval, self.consensus, self.events = [], [], [], []
                    seen.clear()
                if kind == "train":
                    seen.add(row["node"])
                    self.train.append(row)
                elif kind == "eval":
                    self.eval.append(row)
                elif kind == "consensus":
                    self.consensus.append(row)
                elif kind in ("fault", "command"):
                    self.events.append(row)
        if not self.train:
            fail(f"{path}: no \"train\" lines")
        self.summary = {}
        summary_path = os.path.join(directory, "summary.json")
        if os.path.isfile(summary_path):
            with open(summary_path, encoding="utf-8") as f:
                self.summary = json.load(f)
        base = os.path.basename(os.path.normpath(directory))
        algorithm = self.summary.get("algorithm")
        nodes = self.summary.get("nodes")
        self.label = f"{base} ({algorithm}, {nodes} nodes)" if algorithm else base

    def nodes(self):
        return sorted({r["node"] for r in self.train})

    def per_node(self, field):
        """node -> (iterations, values) of the train lines."""
        out = {}
        for r in self.train:
            xs, ys = out.setdefault(r["node"], ([], []))
            if r.get(field) is not None:
                xs.append(r["iteration"])
                ys.append(r[field])
        return out

    def mean_over_nodes(self, field):
        """(iterations, mean of `field` over the nodes that reported it)."""
        sums = {}
        for r in self.train:
            if r.get(field) is None:
                continue
            s = sums.setdefault(r["iteration"], [0.0, 0])
            s[0] += r[field]
            s[1] += 1
        its = sorted(sums)
        return its, [sums[i][0] / sums[i][1] for i in its]


def smooth(values, window):
    """Trailing moving average (noisy per-batch losses)."""
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def mark_events(ax, runs, colors):
    """A dashed vertical line at each fault or console action, labelled."""
    for run, color in zip(runs, colors):
        for e in run.events:
            ax.axvline(e["iteration"], color=color, linestyle="--", linewidth=0.8, alpha=0.7)
            ax.annotate(e.get("command") or e.get("action"), xy=(e["iteration"], 1.0),
                        xycoords=("data", "axes fraction"), rotation=90, fontsize=7,
                        va="top", ha="right", color=color)


def new_figure(plt, title, ylabel):
    fig, ax = plt.subplots(figsize=(9, 5), dpi=100)
    ax.set_title(title)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return fig, ax


def save(fig, ax, out_dir, name, written):
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, name)
    fig.savefig(path)
    written.append(path)


def plot_all(runs, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = [plt.get_cmap("tab10")(i % 10) for i in range(len(runs))]
    written = []

    fig, ax = new_figure(plt, "training loss (thin: each node; thick: mean over nodes)", "loss")
    for run, color in zip(runs, colors):
        for xs, ys in run.per_node("loss").values():
            ax.plot(xs, smooth(ys, 10), color=color, linewidth=0.5, alpha=0.35)
        its, mean = run.mean_over_nodes("loss")
        ax.plot(its, smooth(mean, 10), color=color, linewidth=2.0, label=run.label)
    ax.set_yscale("log")
    mark_events(ax, runs, colors)
    save(fig, ax, out_dir, "loss.png", written)

    fig, ax = new_figure(plt, "test accuracy (dots: each node; line and stars: averaged model)",
                         "test accuracy")
    for run, color in zip(runs, colors):
        nodes = [e for e in run.eval if e["node"] >= 0]
        mean = [e for e in run.eval if e["node"] < 0]
        if nodes:
            ax.scatter([e["iteration"] for e in nodes], [e["test_accuracy"] for e in nodes],
                       color=color, s=12, alpha=0.6)
        if mean:
            ax.plot([e["iteration"] for e in mean], [e["test_accuracy"] for e in mean],
                    color=color, marker="*", markersize=12, linewidth=2.0, label=run.label)
        # One node: its per-epoch evaluations are the averaged model's curve.
        if len(run.nodes()) == 1 and nodes:
            ax.plot([e["iteration"] for e in nodes], [e["test_accuracy"] for e in nodes],
                    color=color, linewidth=1.0)
    mark_events(ax, runs, colors)
    save(fig, ax, out_dir, "accuracy.png", written)

    fig, ax = new_figure(plt, "consensus distance max_i |z_i - mean| / |mean|", "distance")
    for run, color in zip(runs, colors):
        rows = [c for c in run.consensus if c.get("consensus_distance") is not None]
        if rows:
            ax.plot([c["iteration"] for c in rows], [c["consensus_distance"] for c in rows],
                    color=color, marker=".", label=run.label)
    if any(c["consensus_distance"] for r in runs for c in r.consensus
           if c.get("consensus_distance")):
        ax.set_yscale("log")
    mark_events(ax, runs, colors)
    save(fig, ax, out_dir, "consensus.png", written)

    fig, ax = new_figure(plt, "communication wait per iteration (mean over nodes)", "seconds")
    for run, color in zip(runs, colors):
        its, mean = run.mean_over_nodes("comm_wait")
        ax.plot(its, smooth(mean, 10), color=color, linewidth=1.5, label=run.label)
    mark_events(ax, runs, colors)
    save(fig, ax, out_dir, "comm_wait.png", written)

    fig, ax = new_figure(plt, "push-sum weight w per node", "w")
    for run, color in zip(runs, colors):
        first = True
        for xs, ys in run.per_node("w").values():
            ax.plot(xs, ys, color=color, linewidth=0.7, alpha=0.6,
                    label=run.label if first else None)
            first = False
    mark_events(ax, runs, colors)
    save(fig, ax, out_dir, "weight.png", written)
    plt.close("all")
    return written


def write_csv(path, header, rows, written):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    written.append(path)


def export_csv(runs, out_dir):
    written = []
    write_csv(os.path.join(out_dir, "train.csv"), ["run", "node"] + TRAIN_FIELDS,
              [[r.dir, t["node"]] + [t.get(k) for k in TRAIN_FIELDS] for r in runs
               for t in r.train], written)
    write_csv(os.path.join(out_dir, "eval.csv"), ["run", "node"] + EVAL_FIELDS,
              [[r.dir, e["node"]] + [e.get(k) for k in EVAL_FIELDS] for r in runs
               for e in r.eval], written)
    write_csv(os.path.join(out_dir, "consensus.csv"),
              ["run", "iteration", "time", "consensus_distance"],
              [[r.dir, c["iteration"], c["time"], c["consensus_distance"]] for r in runs
               for c in r.consensus], written)
    write_csv(os.path.join(out_dir, "events.csv"), ["run"] + EVENT_FIELDS,
              [[r.dir] + [e.get(k) for k in EVENT_FIELDS] for r in runs for e in r.events],
              written)
    keys = []
    for r in runs:
        keys += [k for k in r.summary if k not in keys and not isinstance(r.summary[k], list)]
    write_csv(os.path.join(out_dir, "summary.csv"), ["run"] + keys,
              [[r.dir] + [r.summary.get(k) for k in keys] for r in runs], written)
    return written


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run directories")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for PNGs and CSVs")
    parser.add_argument("--no-plots", action="store_true", help="CSV tables only")
    args = parser.parse_args()
    if not args.no_plots and not have_matplotlib():
        # Another python3 first on PATH (pyenv, a venv): Debian's has it.
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(system) and os.access(system, os.X_OK):
            os.execv(system, [system] + sys.argv)
        fail("matplotlib is not installed (Debian: apt-get install python3-matplotlib)")
    runs = [run_data(d) for d in args.runs]
    os.makedirs(args.out, exist_ok=True)
    written = export_csv(runs, args.out)
    if not args.no_plots:
        written += plot_all(runs, args.out)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
