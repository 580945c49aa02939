#!/usr/bin/env bash
# Issue 18's profile, on the device: where a ResNet step's GPU time goes in
# sgp (Nsight Compute, one kernel at a time, CUDA graphs off so that every
# kernel is its own launch) next to PyTorch eager and torch.compile
# (torch.profiler), by kind of kernel (bench/kernel_breakdown.py). Only the
# timed steps are profiled (the bench opens the region after its warm-up), so
# cuDNN's algorithm search runs at full speed and picks what a real run picks.
#   MODEL=resnet50 BATCH=256 DTYPE=bf16 bash bench/resnet_profile.sh
# Needs a build of sgp_bench_train in build-dev (bench/device_build.sh).
set -u
model=${MODEL:-resnet50}
batch=${BATCH:-256}
dtype=${DTYPE:-bf16}
out=${OUT:-/tmp/sgp-profile}
mkdir -p "$out"
bench=build-dev/bench/sgp_bench_train
ncu=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
python3 bench/torch_reference.py --model "$model" --batch "$batch" --dtype "$dtype" \
  --steps 30 --warmup 10 --profile
python3 bench/torch_reference.py --model "$model" --batch "$batch" --dtype "$dtype" \
  --steps 30 --warmup 10 --compile --profile 2>&1 | grep -v "^W[0-9]"
step=$("$bench" "$model" "$batch" "$dtype" cuda 30 10 | grep -o '[0-9.]* ms/step' | cut -d' ' -f1)
eager=$(SGP_CUDA_GRAPHS=0 "$bench" "$model" "$batch" "$dtype" cuda 30 10 |
  grep -o '[0-9.]* ms/step' | cut -d' ' -f1)
echo "sgp $model batch $batch $dtype: ${step} ms/step with CUDA graphs, ${eager} ms/step without"
[ -n "$ncu" ] || { echo "no ncu on this machine"; exit 1; }
SGP_CUDA_GRAPHS=0 timeout ${NCU_TIMEOUT:-300} "$ncu" --clock-control none --profile-from-start off \
  --metrics gpu__time_duration.sum \
  --csv "$bench" "$model" "$batch" "$dtype" cuda 3 3 >"$out/ncu_${model}_${batch}.csv" \
  2>"$out/ncu_${model}_${batch}.err" || tail -5 "$out/ncu_${model}_${batch}.err"
python3 bench/kernel_breakdown.py "$out/ncu_${model}_${batch}.csv" --step-ms "$step" \
  --label "sgp $model batch $batch $dtype"
