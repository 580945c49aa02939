#!/usr/bin/env bash
# Issue 14 on the device machine, in one call: the [gpu] actor tests, a
# kill and revive on the GPU with batch norm (ar-sgd's replicas must stay
# identical: consensus distance 0), the accuracy campaign's blocks in
# $BLOCKS, and the time per iteration of each algorithm variant on the
# SGP-overhead benchmark (8 nodes, cnn, batch 128, links without cost).
#   [BLOCKS="..."] [DEADLINE=280] bash bench/variants_device.sh
# Needs `carry: [".debs", ".data"]`; logs and results.tsv in $OUT.
set -u
out=${OUT:-/tmp/sgp-variants}
mkdir -p "$out"
source bench/device_build.sh sgp sgp_tests_actors || exit 1
sgp=./build-dev/apps/sgp
timeout 300 ./build-dev/tests/sgp_tests_actors "[gpu]" >"$out/tests_actors_gpu.log" 2>&1
echo "sgp_tests_actors [gpu]: rc=$?"
tail -2 "$out/tests_actors_gpu.log"
for algo in ar-sgd osgp; do
  timeout 200 $sgp train config/examples/quickstart.toml --set backend.name=cuda \
    --set data.path=.data/fashion-mnist --set model.name=cnn-bn --set cluster.nodes=4 \
    --set algorithm.name=$algo --set schedule.max_iterations=300 --set output.progress=false \
    --set 'faults=[{at_iteration=40,action="kill",node=2},{at_iteration=90,action="revive",node=2}]' \
    --set run.dir=/tmp/sgp-revive-$algo --overwrite >"$out/revive_$algo.log" 2>&1
  echo "kill and revive, $algo, cnn-bn on the GPU: rc=$?"
  grep -E "averaged|push-sum weight|consensus" "$out/revive_$algo.log"
done
LANES=${LANES:-4} DEADLINE=${DEADLINE:-280} BLOCKS=${BLOCKS:-"32x3@0.05 32x10@0.05 loss8x3 diag8x3 diag16x3"} \
  bash bench/accuracy_campaign.sh | tail -30
python3 bench/accuracy_table.py "$out/results.tsv"
timeout 240 $sgp bench comm-bound --backend cuda --nodes 8 --model cnn --batch 128 \
  --bandwidth 100000Gbit --latency 0ms --iterations 500 --repeat 3 \
  --algorithms osgp,osgp:reference:z,osgp:reference:x,sgp:z,sgp:x >"$out/overhead.log" 2>&1
echo "overhead benchmark: rc=$?"
tail -8 "$out/overhead.log"
