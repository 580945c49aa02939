#!/usr/bin/env bash
# Where SGP's cost over compute-only goes on one GPU (8 nodes, cnn, batch
# 128, no emulated slowness): one run per algorithm with per-node metrics,
# broken down by bench/iteration_breakdown.py into compute, comm wait and
# the time between steps. Run on the device after
# `source bench/device_build.sh sgp`; logs and metrics in $OUT.
#   [ITERATIONS=500] [ALGORITHMS="none sgp osgp"] bash bench/overhead_runs.sh
set -u
out=${OUT:-/tmp/sgp-overhead}
mkdir -p "$out"
sgp=./build-dev/apps/sgp
iterations=${ITERATIONS:-500}
if (( iterations < 25 || iterations % 25 != 0 )); then
  echo "overhead_runs.sh: ITERATIONS must be a multiple of 25 (epochs of 25 batches)" >&2
  exit 2
fi
for algo in ${ALGORITHMS:-none sgp osgp}; do
  timeout 120 "$sgp" train /dev/null --set run.dir="/tmp/metrics-$algo" --set cluster.nodes=8 \
    --set model.name=cnn --set data.name=synthetic --set data.batch_size=128 \
    --set data.synthetic_train_samples=$((8 * 128 * 25)) --set data.synthetic_test_samples=64 \
    --set schedule.epochs=$((iterations / 25)) --set optimizer.lr=0.01 --set algorithm.name=$algo \
    --set backend.name=cuda --set network.bandwidth='"100000Gbit"' --set network.latency='"0ms"' \
    --set output.progress=false --set output.consensus_every_iterations=0 >"$out/train_$algo.log" 2>&1
  echo "train $algo: rc=$? (log: $out/train_$algo.log)"
  cp "/tmp/metrics-$algo/metrics.jsonl" "$out/metrics_$algo.jsonl" ||
    { echo "train $algo wrote no metrics"; continue; }
  python3 bench/iteration_breakdown.py "$out/metrics_$algo.jsonl" | tail -1
done
