#!/usr/bin/env bash
# SGP's cost over compute-only on one GPU (8 nodes, cnn, batch 128, no
# emulated slowness), repeated because runs vary by ~10 %, plus the per-node
# metrics of one compute-only and one osgp run for analysis.
# Run on the device after `source bench/device_build.sh sgp`; logs in $OUT.
set -u
out=${OUT:-/tmp/sgp-overhead}
mkdir -p "$out"
sgp=./build-dev/apps/sgp
args=(bench comm-bound --backend cuda --nodes 8 --model cnn --batch 128 --bandwidth 100000Gbit
  --latency 0ms --iterations "${ITERATIONS:-300}")
for r in $(seq "${RUNS:-2}"); do
  "$sgp" "${args[@]}" >"$out/overhead_$r.log" 2>&1
  echo "== run $r"
  grep -E "compute-only|^sgp|^osgp " "$out/overhead_$r.log"
done
for algo in none osgp; do
  "$sgp" train /dev/null --set run.dir="$out/metrics-$algo" --set cluster.nodes=8 \
    --set model.name=cnn --set data.name=synthetic --set data.batch_size=128 \
    --set data.synthetic_train_samples=$((8 * 128 * 300)) --set data.synthetic_test_samples=64 \
    --set schedule.epochs=1 --set optimizer.lr=0.01 --set algorithm.name=$algo \
    --set backend.name=cuda --set network.bandwidth='"100000Gbit"' --set network.latency='"0ms"' \
    --set output.progress=false --set output.consensus_every_iterations=0 >"$out/train_$algo.log" 2>&1
  echo "train $algo: rc=$?"; tail -3 "$out/train_$algo.log"
done
