#!/usr/bin/env bash
# Every multi-GPU mode of `sgp train`, end to end, on the device machine:
# osgp, sgp and ar-sgd with one node per GPU, several nodes per GPU, and a
# kill and revive of a node on the last GPU; then one `sgp node` process per
# GPU on GPUs 0 and 1 (bench/cluster_gpu_check.sh with osgp and with ar-sgd,
# which sums across processes over NCCL) and a process of an ar-sgd cluster
# killed with SIGKILL (bench/cluster_gpu_ar_kill.sh). Each run must exit 0, write a
# summary whose push-sum weight matches the expected weight, and reach an
# accuracy that shows learning. Any failure prints FAIL and the script
# exits non-zero (it never passes quietly).
#   [GPUS=N] bash bench/multi_gpu_suite.sh       (default: every visible GPU)
# Needs `carry: [".debs", ".data"]` (see bench/device_build.sh).
set -u
out=${OUT:-/tmp/sgp-multi-gpu}
mkdir -p "$out"
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
gpus=${GPUS:-$(nvidia-smi -L | wc -l)}
if [ "$gpus" -lt 2 ]; then
  echo "FAIL: multi-GPU suite needs at least 2 GPUs, found $gpus"
  exit 1
fi
devices=$(seq -s, 0 $((gpus - 1)))
last=$((gpus - 1))
failures=0

# A short Fashion-MNIST cnn run: 12000 training samples, 2 epochs.
common=(--set backend.name=cuda --set data.path=.data/fashion-mnist --set model.name=cnn
        --set data.max_train_samples=12000 --set data.max_test_samples=2000
        --set schedule.epochs=2 --set 'schedule.decay_epochs=[]' --set output.progress=false)

# run NAME MIN_ACCURACY ARGS...: one training run and its checks.
run() {
  local name=$1 min_acc=$2
  shift 2
  local dir=/tmp/sgp-mgpu-$name
  rm -rf "$dir"
  timeout 300 $sgp train config/examples/quickstart.toml "${common[@]}" --set run.dir="$dir" "$@" \
    >"$out/$name.log" 2>&1
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL $name: exit $rc"
    tail -5 "$out/$name.log"
    failures=$((failures + 1))
    return
  fi
  if ! python3 - "$dir/summary.json" "$min_acc" "$name" <<'PY'; then
import json, sys
s = json.load(open(sys.argv[1]))
acc, w, ew = s["test_accuracy_mean_model"], s["total_weight"], s["expected_total_weight"]
ok = acc >= float(sys.argv[2]) and abs(w - ew) <= 1e-9 * max(1.0, abs(ew)) and s["iterations"] > 0
print(f"{'ok' if ok else 'FAIL'} {sys.argv[3]}: accuracy {acc:.4f} (>= {sys.argv[2]}), "
      f"weight {w!r} expected {ew!r}, iterations {s['iterations']}, {s['wall_seconds']:.1f} s")
sys.exit(0 if ok else 1)
PY
    failures=$((failures + 1))
  fi
}

for algo in osgp sgp ar-sgd; do
  run "${algo}_${gpus}nodes" 0.80 --set algorithm.name=$algo --set cluster.nodes=$gpus \
    --set "backend.devices=[$devices]"
done
# Several nodes per GPU (ar-sgd sums each GPU's nodes there, then NCCL
# sums over the GPUs), and a kill and revive of a node that shares its GPU.
for algo in osgp ar-sgd; do
  run "${algo}_$((2 * gpus))nodes" 0.78 --set algorithm.name=$algo \
    --set cluster.nodes=$((2 * gpus)) --set "backend.devices=[$devices]"
done
run "ar-sgd_$((2 * gpus))nodes_kill_revive" 0.78 --set algorithm.name=ar-sgd \
  --set cluster.nodes=$((2 * gpus)) --set "backend.devices=[$devices]" \
  --set "faults=[{at_iteration=40,action=\"kill\",node=$((2 * gpus - 1))},{at_iteration=90,action=\"revive\",node=$((2 * gpus - 1))}]"
# Kill the node on the last GPU a quarter in, revive it halfway.
for algo in osgp ar-sgd; do
  run "${algo}_kill_revive" 0.78 --set algorithm.name=$algo --set cluster.nodes=$gpus \
    --set "backend.devices=[$devices]" \
    --set "faults=[{at_iteration=40,action=\"kill\",node=$last},{at_iteration=90,action=\"revive\",node=$last}]"
done

# One process per GPU (GPUs 0 and 1).
for algo in osgp ar-sgd; do
  if ALGORITHM=$algo OUT="$out/cluster-$algo" bash bench/cluster_gpu_check.sh \
      >"$out/cluster-$algo.txt" 2>&1; then
    echo "PASS cluster_${algo}_2processes"
  else
    echo "FAIL cluster_${algo}_2processes"
    tail -8 "$out/cluster-$algo.txt"
    failures=$((failures + 1))
  fi
done
if OUT="$out/ar-kill" bash bench/cluster_gpu_ar_kill.sh >"$out/ar-kill.txt" 2>&1; then
  echo "PASS cluster_ar-sgd_sigkill"
else
  echo "FAIL cluster_ar-sgd_sigkill"
  tail -12 "$out/ar-kill.txt"
  failures=$((failures + 1))
fi

if [ $failures -ne 0 ]; then
  echo "multi-GPU suite: $failures FAILED"
  exit 1
fi
echo "multi-GPU suite: all passed on $gpus GPUs"
