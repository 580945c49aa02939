#!/usr/bin/env bash
# Everything this project measures on the device machine, in one call:
# builds there, runs the [gpu] tests, the SGP-overhead and comm-bound
# benchmarks on the GPU, and the quickstart on the GPU with osgp and ar-sgd.
# Logs go to $OUT (the device tool brings them back).
#   bash bench/device_suite.sh [tests|overhead|comm|quickstart|all]...
# Needs `carry: [".debs", ".data"]` (see bench/device_build.sh; .data holds
# the Fashion-MNIST .gz files).
set -u
out=${OUT:-/tmp/sgp-suite}
mkdir -p "$out"
source bench/device_build.sh sgp sgp_tests_cuda || exit 1
nvidia-smi -L >"$out/device.txt" 2>&1
sgp=./build-dev/apps/sgp
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(all)
want() { [[ " ${parts[*]} " == *" $1 "* || " ${parts[*]} " == *" all "* ]]; }

if want tests; then
  ./build-dev/tests/gpu_cuda/sgp_tests_cuda "[gpu]" >"$out/tests_cuda.log" 2>&1
  echo "sgp_tests_cuda [gpu]: rc=$?"
  tail -3 "$out/tests_cuda.log"
fi
if want overhead; then
  # SGP's cost over the same nodes without gossip (issue 4 target: <= 3 %).
  $sgp bench comm-bound --backend cuda --nodes 8 --model cnn --batch 128 \
    --bandwidth 100000Gbit --latency 0ms --iterations 300 >"$out/overhead_cnn.log" 2>&1
  echo "overhead cnn: rc=$?"
  tail -8 "$out/overhead_cnn.log"
fi
if want comm; then
  # 16 nodes behind 1 Gbit/s links, a push (26 ms) slower than a step (about
  # 19 ms for 16 nodes): the README's comm-bound rows. Takes about 2 minutes.
  $sgp bench comm-bound --backend cuda --nodes 16 --model cnn --batch 512 \
    --iterations 100 >"$out/comm_bound_cuda.log" 2>&1
  echo "comm-bound cuda: rc=$?"
  tail -8 "$out/comm_bound_cuda.log"
fi
if want quickstart; then
  for algo in osgp ar-sgd; do
    $sgp train config/examples/quickstart.toml --set backend.name=cuda \
      --set data.path=.data/fashion-mnist --set algorithm.name=$algo \
      --set run.dir="$out/quickstart-$algo" >"$out/quickstart_$algo.log" 2>&1
    echo "quickstart $algo: rc=$?"
    tail -4 "$out/quickstart_$algo.log"
  done
fi
