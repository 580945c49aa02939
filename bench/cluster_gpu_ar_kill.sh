#!/usr/bin/env bash
# ar-sgd over NCCL across two sgp node processes (one GPU each), Fashion-MNIST
# cnn; gpu1 killed with SIGKILL mid-run: gpu0 must finish alone (exit 0,
# summary with one live node, its sum redone without the dead process).
#   bash bench/cluster_gpu_ar_kill.sh   (nvidia-h200-x2; needs `carry: [".debs", ".data"]`)
set -u
out=${OUT:-/tmp/ar-kill}; mkdir -p $out
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
cat > $out/ar.toml <<TOML
[run]
dir = "/tmp/sgp-ar-kill"
[cluster]
join_timeout = "120s"
process_timeout = "1s"
[[cluster.process]]
name = "gpu0"
host = "127.0.0.1"
port = 29740
devices = [0]
[[cluster.process]]
name = "gpu1"
host = "127.0.0.1"
port = 29741
devices = [1]
[backend]
name = "cuda"
[model]
name = "cnn"
[data]
path = ".data/fashion-mnist"
batch_size = 32
[schedule]
epochs = 2
[algorithm]
name = "ar-sgd"
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = 0
TOML
rm -rf /tmp/sgp-ar-kill
export SGP_CLUSTER_SECRET=ar-kill-secret
$sgp node $out/ar.toml --process gpu0 > $out/gpu0.log 2>&1 &
p0=$!
$sgp node $out/ar.toml --process gpu1 > $out/gpu1.log 2>&1 &
p1=$!
for i in $(seq 1 120); do
  grep -q "every process joined" $out/gpu1.log 2>/dev/null && break; sleep 0.5
done
sleep 4
kill -9 $p1; echo "killed gpu1 at $(date +%T)"
timeout 120 tail --pid=$p0 -f /dev/null; wait $p0; rc=$?
echo "gpu0 exit $rc"
[ "$rc" -eq 0 ] || { echo "FAIL: the survivor exited $rc"; exit 1; }
grep -hE "ar-sgd|dead|error" $out/gpu0.log | head -12
python3 - <<'PY'
import json, sys
s = json.load(open("/tmp/sgp-ar-kill/summary.json"))
ok = s["live_nodes"] == 1 and s["test_accuracy_mean_model"] >= 0.7
print(("PASS" if ok else "FAIL"), "live nodes", s["live_nodes"], "iterations", s["iterations"],
      "accuracy", s["test_accuracy_mean_model"])
sys.exit(0 if ok else 1)
PY
