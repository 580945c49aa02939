#!/usr/bin/env python3
"""Where a training step's GPU time goes, by kind of kernel.

Used two ways (issue 18's profile):
  * imported by torch_reference.py --profile, which feeds it the CUDA kernels
    that torch.profiler saw over a few steps of PyTorch eager or
    torch.compile;
  * as a program over an Nsight Compute CSV of sgp's bench program
    (ncu --csv --metrics gpu__time_duration.sum ...). The last step is found
    as the longest repeating tail of the kernel sequence (the first steps
    also run cuDNN's algorithm search), so run at least three steps.

  python3 bench/kernel_breakdown.py ncu.csv --step-ms 50.4 --label sgp

Kinds are matched on the kernel's name (lower case), first match wins;
whatever the step's wall time has beyond the kernels' sum is reported as
"gaps" (launch overhead, host work, idle GPU).
"""
import argparse
import collections
import csv
import re
import sys

KINDS = [
    ("optimizer", r"sgd|momentum|multi_tensor|foreach|adam"),
    ("push-sum", r"push_send|push_apply|debias|add_scaled"),
    ("batch norm", r"batch_norm|batchnorm|bn_|welford|stats_kernel|apply_kernel|"
                   r"forward_finalize|backward_reduce|backward_dx|backward_finalize|"
                   r"inference_coefs|channel_partial|channel_final"),
    ("layout", r"nchwtonhwc|nhwctonchw|nchw_to_nhwc|transpose"),
    ("convolution", r"conv|xmma|implicit_gemm|fprop|dgrad|wgrad|cutlass|sm90_|sm100_|"
                    r"cudnn|winograd|fft"),
    ("matmul", r"gemm|gemv|cublas|matmul"),
    ("pooling", r"pool"),
    ("softmax + loss", r"softmax|xent|cross_entropy|nll"),
    ("cast", r"bf16|cast|convert|to_copy|_to_"),
    ("elementwise", r"relu|add|elementwise|vectorized|triton_poi|mul|fill|copy|threshold|"
                    r"reduce|triton_red|triton_per"),
]
_COMPILED = [(k, re.compile(p)) for k, p in KINDS]


def kind_of(name):
    low = name.lower()
    for kind, pattern in _COMPILED:
        if pattern.search(low):
            return kind
    return "other"


def period_of(names, min_len=8):
    """Length of the shortest block that the sequence ends with twice."""
    n = len(names)
    for k in range(min_len, n // 2 + 1):
        if names[n - k:] == names[n - 2 * k:n - k]:
            return k
    return None


def report(label, kernels, steps, step_ms=None, top=12, out=sys.stdout):
    """kernels: (name, milliseconds) over `steps` steps."""
    by_kind = collections.Counter()
    by_name = collections.Counter()
    count = collections.Counter()
    for name, ms in kernels:
        by_kind[kind_of(name)] += ms / steps
        short = re.sub(r"\(.*", "", name)[:90]
        by_name[short] += ms / steps
        count[kind_of(name)] += 1
    total = sum(by_kind.values())
    print(f"\n== {label}: {len(kernels) / steps:.0f} kernels per step, "
          f"{total:.2f} ms of kernel time per step"
          + (f", step {step_ms:.2f} ms" if step_ms else ""), file=out)
    print(f"{'kind':<16}{'ms/step':>9}{'share':>8}{'kernels':>9}", file=out)
    for kind, ms in by_kind.most_common():
        print(f"{kind:<16}{ms:>9.2f}{100 * ms / (step_ms or total):>7.1f}%"
              f"{count[kind] / steps:>9.0f}", file=out)
    if step_ms:
        gap = step_ms - total
        print(f"{'gaps':<16}{gap:>9.2f}{100 * gap / step_ms:>7.1f}%", file=out)
    print(f"top {top} kernels (ms/step):", file=out)
    for name, ms in by_name.most_common(top):
        print(f"  {ms:7.2f}  {name}", file=out)


def read_ncu_csv(path):
    """(name, ms) per kernel launch, in launch order."""
    rows = []
    with open(path, newline="") as f:
        lines = [l for l in f if l.startswith('"')]  # ncu prints its own log lines too
    reader = csv.DictReader(lines)
    for r in reader:
        if r.get("Metric Name") != "gpu__time_duration.sum":
            continue
        value = float(r["Metric Value"].replace(",", ""))
        unit = r.get("Metric Unit", "nsecond")
        scale = {"nsecond": 1e-6, "usecond": 1e-3, "msecond": 1.0, "second": 1e3}.get(unit, 1e-6)
        rows.append((int(r["ID"]), r["Kernel Name"], value * scale))
    rows.sort()
    return [(name, ms) for _, name, ms in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv", help="ncu --csv output with gpu__time_duration.sum")
    ap.add_argument("--step-ms", type=float, help="the step's wall time, for the gaps")
    ap.add_argument("--label", default="sgp")
    args = ap.parse_args()
    kernels = read_ncu_csv(args.csv)
    if not kernels:
        raise SystemExit(f"{args.csv}: no gpu__time_duration.sum rows")
    k = period_of([name for name, _ in kernels])
    if k is None:
        raise SystemExit(f"{args.csv}: {len(kernels)} kernels, no repeating step found "
                         "(profile at least three steps)")
    report(args.label, kernels[-k:], 1, args.step_ms)


if __name__ == "__main__":
    main()
