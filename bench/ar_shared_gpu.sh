#!/usr/bin/env bash
# ar-sgd with several nodes on one GPU (`sgp train`, all nodes on GPU 0):
# the cnn on Fashion-MNIST with 4 and 8 nodes (2 epochs) and ResNet-50
# (synthetic 224x224, batch 128, 2 nodes, links that cost nothing, 30
# iterations). Prints node 0's steady ms per iteration, the averaged
# accuracy and whether every node scored the same (identical replicas),
# for each binary given: OLD (optional, e.g. the previous commit's build)
# and SGP, so that the two come from the same call.
#   [OLD=/path/to/old/sgp] [SGP=build-dev/apps/sgp] [DATA=.data/fashion-mnist] bash bench/ar_shared_gpu.sh
set -u
sgp=${SGP:-./build-dev/apps/sgp}
data=${DATA:-.data/fashion-mnist}
out=${OUT:-/tmp/sgp-ar-shared}
mkdir -p "$out"
summarize() {
  python3 - "$1" "$2" <<'PY'
import json, sys
d, name = sys.argv[1], sys.argv[2]
try:
    s = json.load(open(d + "/summary.json"))
except Exception as e:
    print(f"{name}: no summary ({e})"); sys.exit(1)
times = {}
for line in open(d + "/metrics.jsonl"):
    r = json.loads(line)
    if r.get("event") == "train" and r.get("node") == 0:
        times[r["iteration"]] = r["time"]
last = max(times); first = max(1, last // 3)
steady = 1000 * (times[last] - times[first]) / (last - first)
per = s.get("test_accuracy_per_node", [])
print(f"{name}: {steady:.2f} ms/iteration (node 0, {first}..{last}), averaged "
      f"{100 * s['test_accuracy_mean_model']:.2f} %, nodes "
      f"{'identical' if len(set(per)) == 1 else 'DIFFER ' + str(per)}")
PY
}
status=0
for which in OLD SGP; do
  bin=${!which:-}
  [ "$which" = SGP ] && bin=$sgp
  [ -z "$bin" ] && continue
  for n in 4 8; do
    dir=$out/cnn-$which-$n
    rm -rf "$dir"
    timeout 300 "$bin" train config/examples/quickstart.toml --set backend.name=cuda \
      --set algorithm.name=ar-sgd --set cluster.nodes=$n --set schedule.epochs=2 \
      --set 'schedule.decay_epochs=[1]' --set data.path="\"$data\"" --set run.dir="\"$dir\"" \
      --set output.progress=false >"$dir.log" 2>&1 || { echo "$which cnn $n: exit $?"; status=1; }
    summarize "$dir" "$which cnn, $n nodes on GPU 0" || status=1
  done
  dir=$out/r50-$which
  rm -rf "$dir"
  cat >"$out/r50.toml" <<TOML
[run]
dir = "$dir"
[cluster]
nodes = 2
[backend]
name = "cuda"
devices = [0]
[model]
name = "resnet50"
[data]
name = "synthetic"
batch_size = 128
synthetic_train_samples = 5120
synthetic_test_samples = 128
channels = 3
height = 224
width = 224
classes = 1000
[optimizer]
lr = 0.01
[schedule]
epochs = 2
max_iterations = 30
[algorithm]
name = "ar-sgd"
[network]
bandwidth = "100000Gbit"
latency = "0ms"
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = 0
TOML
  timeout 300 "$bin" train "$out/r50.toml" >"$dir.log" 2>&1 || { echo "$which r50: exit $?"; status=1; }
  summarize "$dir" "$which resnet50, 2 nodes on GPU 0" || status=1
done
exit $status
