#!/usr/bin/env bash
# One `sgp node` process per GPU, end to end on the device machine: the
# cluster (2 processes, one node on one GPU each, over TCP on 127.0.0.1)
# against `sgp train` with the same two nodes in one process. Prints both
# summaries and per-iteration times; fails loudly on a bad exit, a wrong
# push-sum weight or no learning.
#   bash bench/cluster_gpu_check.sh     (needs `carry: [".debs", ".data"]`)
# GPUS=1 puts both processes' nodes on GPU 0 (a one-GPU machine; not for
# ar-sgd, whose NCCL ranks need a GPU each). NODES0/NODES1 (default 1) and
# DEVICES0/DEVICES1 (default 0 and 1; a process's nodes go round its
# devices) give a process more nodes, e.g. NODES0=2 DEVICES0=0,1: gpu0's
# second node shares GPU 1 with gpu1's, and ar-sgd sums gpu0's two
# gradients on GPU 0; NODES0=2 DEVICES0=0: both of gpu0's nodes on GPU 0.
# CONSENSUS=N measures the consensus distance every N iterations both ways
# (default 0: off) and prints the "consensus" lines of each.
set -u
out=${OUT:-/tmp/sgp-cluster-gpu}
mkdir -p "$out"
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
failures=0
model=${MODEL:-cnn}
algorithm=${ALGORITHM:-osgp}
epochs=${EPOCHS:-2}
second_gpu=1 one_process_gpus="0,1"
[ "${GPUS:-2}" = 1 ] && second_gpu=0 one_process_gpus=0
nodes0=${NODES0:-1} nodes1=${NODES1:-1}
devices0=${DEVICES0:-0} devices1=${DEVICES1:-$second_gpu}
nodes=$((nodes0 + nodes1))

config=$out/cluster.toml
cat >"$config" <<TOML
[run]
name = "cluster-gpu"
dir = "/tmp/sgp-cluster-gpu-run"
[cluster]
join_timeout = "120s"
[[cluster.process]]
name = "gpu0"
host = "127.0.0.1"
port = 29700
nodes = $nodes0
devices = [$devices0]
[[cluster.process]]
name = "gpu1"
host = "127.0.0.1"
port = 29701
nodes = $nodes1
devices = [$devices1]
[backend]
name = "cuda"
[model]
name = "$model"
[data]
path = ".data/fashion-mnist"
batch_size = 32
[schedule]
epochs = $epochs
warmup_epochs = 0.25
[algorithm]
name = "$algorithm"
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = ${CONSENSUS:-0}
TOML

check() {  # NAME SUMMARY LOG RC
  local name=$1 summary=$2 log=$3 rc=$4
  if [ "$rc" -ne 0 ] || [ ! -f "$summary" ]; then
    echo "FAIL $name: exit $rc"; tail -20 "$log"; failures=$((failures + 1)); return
  fi
  python3 - "$name" "$summary" "$nodes" "$algorithm" <<'PY' || failures=$((failures + 1))
import json, sys
name, path, nodes, algorithm = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = json.load(open(path))
err = abs(s["total_weight"] - s["expected_total_weight"]) / s["expected_total_weight"]
ok = err <= 1e-9 and s["test_accuracy_mean_model"] >= 0.80 and s["live_nodes"] == nodes
per_node = s.get("test_accuracy_per_node", [])
if algorithm == "ar-sgd":  # identical replicas: every node scores the same
    same = len(per_node) == nodes and max(per_node) == min(per_node)
    print(f"  per-node accuracies {per_node}: {'identical' if same else 'DIFFER'}")
    ok = ok and same
print(f"{'PASS' if ok else 'FAIL'} {name}: averaged {100*s['test_accuracy_mean_model']:.2f}%, "
      f"{s['iterations']} iterations in {s['wall_seconds']:.1f} s "
      f"({1000*s['wall_seconds']/s['iterations']:.2f} ms/iteration), weight error {err:.1e}")
sys.exit(0 if ok else 1)
PY
}

rm -rf /tmp/sgp-cluster-gpu-run
timeout 400 $sgp launch "$config" >"$out/cluster.log" 2>&1
check "cluster (2 processes: $nodes0 node(s) on GPUs [$devices0], $nodes1 on [$devices1])" /tmp/sgp-cluster-gpu-run/summary.json "$out/cluster.log" $?
cp /tmp/sgp-cluster-gpu-run/summary.json "$out/cluster-summary.json" 2>/dev/null

rm -rf /tmp/sgp-cluster-gpu-one
timeout 400 $sgp train config/examples/quickstart.toml --set backend.name=cuda \
  --set "backend.devices=[$one_process_gpus]" --set cluster.nodes=$nodes --set model.name="$model" \
  --set data.path=.data/fashion-mnist --set data.batch_size=32 --set schedule.epochs="$epochs" \
  --set schedule.warmup_epochs=0.25 --set 'schedule.decay_epochs=[]' --set algorithm.name="$algorithm" \
  --set output.progress=false --set output.consensus_every_iterations="${CONSENSUS:-0}" \
  --set run.dir=/tmp/sgp-cluster-gpu-one >"$out/one-process.log" 2>&1
check "one process ($nodes nodes on GPUs $one_process_gpus)" /tmp/sgp-cluster-gpu-one/summary.json "$out/one-process.log" $?
cp /tmp/sgp-cluster-gpu-one/summary.json "$out/one-process-summary.json" 2>/dev/null

if [ "${CONSENSUS:-0}" != 0 ]; then
  echo "consensus lines, cluster (the coordinator's):"; grep -h '"consensus"' /tmp/sgp-cluster-gpu-run/gpu0/metrics.jsonl
  echo "consensus lines, one process:"; grep -h '"consensus"' /tmp/sgp-cluster-gpu-one/metrics.jsonl
fi
if [ $failures -ne 0 ]; then echo "FAIL: $failures check(s)"; exit 1; fi
echo "all passed"
