#!/usr/bin/env bash
# The multi-GPU measurements, in one call on the device machine: PyTorch
# DDP (NCCL) and sgp's compute-only, sgp, osgp and ar-sgd with one node
# per GPU, ResNet-50 (or MODEL) batch 256 per GPU in bf16 on synthetic data,
# first over unthrottled links, then over emulated 10 Gbit/s links (the
# paper's Ethernet setting). Logs go to $OUT.
#   [GPUS="1 2 4"] [MODEL=resnet50] [ITERATIONS=60] bash bench/multi_gpu_bench.sh
# Needs `carry: [".debs"]` (see bench/device_build.sh).
set -u
out=${OUT:-/tmp/sgp-multi-gpu-bench}
mkdir -p "$out"
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
model=${MODEL:-resnet50}
present=$(nvidia-smi -L | wc -l)
counts=${GPUS:-"1 2 4"}
csv=""
for g in $counts; do [ "$g" -le "$present" ] && csv="$csv${csv:+,}$g"; done
echo "== PyTorch DDP, $model batch 256/GPU bf16, GPU counts $csv"
PYTHONUNBUFFERED=1 timeout 300 python3 bench/ddp_reference.py --model "$model" --batch 256 \
  --dtype bf16 --gpus "$csv" 2>&1 | tee "$out/ddp.log" | grep -E "DDP|Error|error"
for bw in 100000Gbit 10Gbit; do
  for g in ${csv//,/ }; do
    # One node has no links: its 10 Gbit/s run would repeat the first.
    [ "$bw" = 10Gbit ] && [ "$g" -eq 1 ] && continue
    devices=$(seq -s, 0 $((g - 1)))
    # Over slow links also osgp with bf16 pushes (half the bytes).
    algorithms=sgp,osgp,ar-sgd
    [ "$bw" = 10Gbit ] && algorithms=sgp,osgp,osgp:bf16,ar-sgd
    echo "== sgp $model, $g node(s) on GPUs [$devices], links $bw"
    timeout 400 $sgp bench comm-bound --backend cuda --model "$model" --batch 256 --nodes "$g" \
      --devices "$devices" --bandwidth $bw --latency 0ms --iterations "${ITERATIONS:-60}" \
      --algorithms "$algorithms" >"$out/sgp_${bw}_$g.log" 2>&1
    echo "rc=$?"
    grep -E "ms/iteration|ar-sgd vs osgp|error" "$out/sgp_${bw}_$g.log"
  done
done
