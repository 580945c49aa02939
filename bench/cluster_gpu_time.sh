#!/usr/bin/env bash
# Time per iteration of one `sgp node` process per GPU against `sgp train`
# with the same nodes in one process (nvidia-h200-x2): MODEL (resnet50,
# bf16 on cuda) on synthetic 224x224 images, ALGORITHM (osgp), ITERATIONS
# (30), BATCH (256 per GPU). Milliseconds per iteration in the steady
# state: node 0's iterations after the first third of the run.
# DEVICES0/DEVICES1 (default 0 and 1) place the processes' nodes, one per
# device listed: DEVICES0=0,1 gives gpu0 two nodes, the second on GPU 1
# beside gpu1's (the one-process run puts as many nodes on the GPUs listed).
#   bash bench/cluster_gpu_time.sh     (needs `carry: [".debs"]`)
set -u
out=${OUT:-/tmp/sgp-cluster-gpu-time}
mkdir -p "$out"
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
model=${MODEL:-resnet50}
algorithm=${ALGORITHM:-osgp}
iterations=${ITERATIONS:-30}
# Ten batches per node and epoch, epochs enough for ITERATIONS: a 224x224
# image is 0.6 MB, and a set sized by the iterations would not fit.
batch=${BATCH:-256}
devices0=${DEVICES0:-0} devices1=${DEVICES1:-1}
nodes=$(($(echo "$devices0,$devices1" | tr ',' '\n' | wc -l)))
one_devices=$(echo "$devices0,$devices1" | tr ',' '\n' | sort -un | paste -sd,)
common="[model]
name = \"$model\"
[data]
name = \"synthetic\"
batch_size = $batch
synthetic_train_samples = $((batch * nodes * 10))
synthetic_test_samples = $batch
channels = 3
height = 224
width = 224
classes = 1000
[optimizer]
lr = 0.01
[schedule]
epochs = $((iterations / 10 + 1))
max_iterations = $iterations
[algorithm]
name = \"$algorithm\"
wait_timeout = \"60s\"
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = 0"
cat >"$out/cluster.toml" <<TOML
[run]
dir = "/tmp/sgp-cgt-cluster"
[cluster]
join_timeout = "180s"
process_timeout = "10s"
[[cluster.process]]
name = "gpu0"
host = "127.0.0.1"
port = 29720
devices = [$devices0]
[[cluster.process]]
name = "gpu1"
host = "127.0.0.1"
port = 29721
devices = [$devices1]
[backend]
name = "cuda"
$common
TOML
cat >"$out/one.toml" <<TOML
[run]
dir = "/tmp/sgp-cgt-one"
[cluster]
nodes = $nodes
[backend]
name = "cuda"
devices = [$one_devices]
$common
TOML
rm -rf /tmp/sgp-cgt-cluster /tmp/sgp-cgt-one
timeout 500 $sgp launch "$out/cluster.toml" >"$out/cluster.log" 2>&1
echo "cluster exit $?"
timeout 500 $sgp train "$out/one.toml" >"$out/one.log" 2>&1
echo "one process exit $?"
for run in cluster one; do
  metrics=/tmp/sgp-cgt-$run/metrics.jsonl
  [ "$run" = cluster ] && metrics=/tmp/sgp-cgt-cluster/gpu0/metrics.jsonl
  python3 - "$run" "/tmp/sgp-cgt-$run/summary.json" "$metrics" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[2]))
except Exception as e:
    print(f"{sys.argv[1]}: no summary ({e})"); sys.exit(0)
extra = ""
if "wire_bytes_per_parameter_per_push" in s:
    extra = f", {s['wire_bytes_per_parameter_per_push']:.4f} wire bytes/parameter/push"
# Steady state: node 0's iterations after the first third (cuDNN's search,
# pools growing and the first pushes left out).
times = {}
for line in open(sys.argv[3]):
    r = json.loads(line)
    if r.get("event") == "train" and r.get("node") == 0:
        times[r["iteration"]] = r["time"]
last = max(times)
first = max(1, last // 3)
steady = 1000 * (times[last] - times[first]) / (last - first)
print(f"{sys.argv[1]}: {s['iterations']} iterations, steady {steady:.1f} ms/iteration "
      f"(node 0, iterations {first}..{last}), comm wait {100 * s['mean_comm_wait_fraction']:.0f}%"
      f"{extra}")
PY
done
