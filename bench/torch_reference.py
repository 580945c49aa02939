#!/usr/bin/env python3
"""PyTorch eager reference for `sgp bench train`: the same models (mlp, cnn,
cnn-bn, resnet18, resnet50), batch and precision, SGD with Nesterov momentum
0.9 and weight decay 1e-4 on weights only (as sgp), synthetic data already
on the GPU.

ResNets are torchvision's (zero_init_residual=True), 3x224x224 images, 1000
classes, channels-last; bf16 is autocast over fp32 weights, as sgp computes
in bf16 from fp32 master weights.

fp32 means fp32: TF32 is switched off for matmuls and cuDNN convolutions, as
in sgp's CUDA backend.

With --sgp PATH it also runs sgp's benchmark program (bench/sgp_bench_train
or any program printing "X ms/step") with the same arguments and prints both
timings and the ratio, from the same machine and the same call. With
--repeat N, N timing windows follow one warm-up (one compilation) in the
same process, and the median is reported.

  python3 bench/torch_reference.py --model cnn --batch 128 --sgp build/bench/sgp_bench_train
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def is_resnet(name):
    return name in ("resnet18", "resnet50")


def make_model(name, classes=10):
    if is_resnet(name):
        import torchvision
        return getattr(torchvision.models, name)(num_classes=1000, zero_init_residual=True)
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 1024), nn.ReLU(),
                             nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, classes))
    if name in ("cnn", "cnn-bn"):
        bn = name == "cnn-bn"
        layers = []
        c_in = 1
        for c_out in (32, 64):
            layers.append(nn.Conv2d(c_in, c_out, 3, padding=1))
            if bn:
                layers.append(nn.BatchNorm2d(c_out))
            layers += [nn.ReLU(), nn.MaxPool2d(2)]
            c_in = c_out
        layers += [nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, classes)]
        return nn.Sequential(*layers)
    raise SystemExit(f"unknown model {name}")


def time_torch(args):
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    model = make_model(args.model).to(dev)
    resnet = is_resnet(args.model)
    if resnet:
        model = model.to(memory_format=torch.channels_last)
    decayed = [p for n, p in model.named_parameters() if p.dim() > 1]
    rest = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decayed, "weight_decay": 1e-4},
                           {"params": rest, "weight_decay": 0.0}],
                          lr=0.01, momentum=0.9, nesterov=True)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator(device="cpu").manual_seed(42)
    shape, classes = ((3, 224, 224), 1000) if resnet else ((1, 28, 28), 10)
    fmt = torch.channels_last if resnet else torch.contiguous_format
    xs = [torch.randn(args.batch, *shape, generator=g).to(dev).contiguous(memory_format=fmt)
          for _ in range(4)]
    ys = [torch.randint(0, classes, (args.batch,), generator=g).to(dev) for _ in range(4)]
    if args.compile:
        model = torch.compile(model)

    def step(i):
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=dtype, enabled=dtype != torch.float32):
            loss = loss_fn(model(xs[i % 4]), ys[i % 4])
        loss.backward()
        opt.step()
        return loss

    for i in range(args.warmup):
        step(i)
    windows = []
    for _ in range(args.repeat):
        torch.cuda.synchronize()
        start = time.perf_counter()
        for i in range(args.steps):
            loss = step(i)
            if args.item:
                loss.item()
        torch.cuda.synchronize()
        windows.append((time.perf_counter() - start) * 1000.0 / args.steps)
    ms = statistics.median(windows)
    if args.repeat > 1:
        print("torch windows (ms/step): " + ", ".join(f"{w:.4f}" for w in windows))
    if args.profile:
        profile_steps(step, args, ms)
    return ms


def profile_steps(step, args, step_ms, steps=5):
    """The CUDA kernels of `steps` steps, by kind (bench/kernel_breakdown.py)."""
    from torch.profiler import ProfilerActivity, profile
    import kernel_breakdown
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for i in range(steps):
            step(i)
        torch.cuda.synchronize()
    kernels = []
    for e in prof.events():
        if e.device_type != torch.autograd.DeviceType.CUDA:
            continue
        us = getattr(e, "device_time", None)
        if us is None:
            us = e.cuda_time
        if "memcpy" in e.name.lower() or "memset" in e.name.lower():
            continue
        kernels.append((e.name, us / 1000.0))
    mode = "torch.compile" if args.compile else "torch eager"
    kernel_breakdown.report(f"{mode} {args.model} batch {args.batch} {args.dtype}", kernels,
                            steps, step_ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="cnn")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--dtype", default="fp32")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=1,
                    help="time this many windows of --steps steps after one warm-up (and one "
                         "compilation) and report their median")
    ap.add_argument("--item", action="store_true",
                    help="read the loss on the host every step (as sgp's forward_backward does)")
    ap.add_argument("--compile", action="store_true", help="time torch.compile instead of eager")
    ap.add_argument("--sgp", help="sgp benchmark program to run with the same arguments")
    ap.add_argument("--profile", action="store_true",
                    help="also print where the GPU time of a step goes, by kind of kernel")
    args = ap.parse_args()

    torch_ms = time_torch(args)
    sync = " (loss.item() every step)" if args.item else ""
    mode = "compile" if args.compile else "eager"
    print(f"torch {mode}: model={args.model} batch={args.batch} dtype={args.dtype}{sync}: "
          f"{torch_ms:.4f} ms/step, {args.batch * 1000.0 / torch_ms:.0f} samples/s")
    if not args.sgp:
        return
    out = subprocess.run([args.sgp, args.model, str(args.batch), args.dtype, "cuda",
                          str(args.steps), str(args.warmup)],
                         capture_output=True, text=True, check=False)
    print(out.stdout.strip())
    if out.returncode != 0:
        print(out.stderr.strip())
        raise SystemExit(out.returncode)
    sgp_ms = float(re.search(r"([0-9.]+) ms/step", out.stdout).group(1))
    print(f"ratio sgp/torch: {sgp_ms / torch_ms:.3f} "
          f"(sgp {sgp_ms:.4f} ms vs torch {torch_ms:.4f} ms)")


if __name__ == "__main__":
    main()
