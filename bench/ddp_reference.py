#!/usr/bin/env python3
"""PyTorch DDP (NCCL) reference for sgp's multi-GPU runs: the same model,
batch per GPU and precision as `sgp bench comm-bound --backend cuda`, one
process per GPU, synthetic data already on the GPU, SGD with Nesterov
momentum 0.9 and weight decay 1e-4 on weights only (as sgp). Prints the
median ms per iteration (the slowest rank's) for each GPU count.

  python3 bench/ddp_reference.py --model resnet50 --batch 256 --dtype bf16 --gpus 1,2,4
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import is_resnet, make_model  # noqa: E402


def worker(rank, world, args, port, results):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    os.environ.setdefault("NCCL_NVLS_ENABLE", "0")  # NVLink multicast stays off
    torch.cuda.set_device(rank)
    dist.init_process_group("nccl", rank=rank, world_size=world)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda", rank)
    resnet = is_resnet(args.model)
    fmt = torch.channels_last if resnet else torch.contiguous_format
    model = make_model(args.model).to(dev, memory_format=fmt)
    ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[rank])
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 1e-4},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=0.01, momentum=0.9, nesterov=True)
    shape, classes = ((3, 224, 224), 1000) if resnet else ((1, 28, 28), 10)
    x = torch.randn(args.batch, *shape, device=dev).to(memory_format=fmt)
    y = torch.randint(0, classes, (args.batch,), device=dev)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for step in range(args.warmup + args.steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.autocast("cuda", dtype=dtype, enabled=dtype != torch.float32):
            loss = loss_fn(ddp(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        torch.cuda.synchronize()
        if step >= args.warmup:
            times.append(time.perf_counter() - t0)
    # The slowest rank's median is the cluster's iteration time.
    med = torch.tensor([statistics.median(times)], device=dev)
    dist.all_reduce(med, op=dist.ReduceOp.MAX)
    if rank == 0:
        results.put(med.item())
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--batch", type=int, default=256, help="samples per GPU")
    ap.add_argument("--dtype", default="bf16")
    ap.add_argument("--gpus", default="1,2", help="GPU counts to time, comma-separated")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=15)
    args = ap.parse_args()
    available = torch.cuda.device_count()
    for k, world in enumerate(int(g) for g in args.gpus.split(",")):
        if world > available:
            print(f"DDP {args.model}: {world} GPUs asked, {available} present: skipped")
            continue
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        mp.spawn(worker, args=(world, args, 29500 + k, results), nprocs=world, join=True)
        ms = 1e3 * results.get()
        print(f"DDP {args.model} batch {args.batch}/GPU {args.dtype}: {world} GPU(s) "
              f"{ms:.2f} ms/iteration", flush=True)


if __name__ == "__main__":
    main()
