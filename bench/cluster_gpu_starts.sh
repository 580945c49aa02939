#!/usr/bin/env bash
# Repeated cluster starts on the device machine: two `sgp node` processes
# (sgp launch) with their nodes on GPU 0, each start run until both
# processes paused at the first checkpoint (epoch 1), then killed. Counts
# the starts in which a process's nodes never took a step (session 25 saw
# that in about 1 of 3 ResNet-50 starts: a cuDNN search's buffer zeroed on
# the wrong stream). On such a start it writes the stuck process's log and
# a cuda-gdb stack of it under OUT, and exits 1.
#   bash bench/cluster_gpu_starts.sh   (needs `carry: [".debs", ".data"]`)
# STARTS (default 10), MODEL (default resnet50), NODES (per process,
# default 2), BATCH (default 64), SAMPLES (default 5120).
set -u
out=${OUT:-/tmp/sgp-cluster-gpu-starts}
mkdir -p "$out"
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
source bench/cluster_tables.sh
starts=${STARTS:-10}
run=/tmp/sgp-cluster-gpu-starts-run
config=$out/cluster.toml
cat >"$config" <<TOML
[run]
name = "cluster-gpu-starts"
dir = "$run"
[cluster]
join_timeout = "120s"
$(two_processes "${NODES:-2}" 0 0)
[backend]
name = "cuda"
[model]
name = "${MODEL:-resnet50}"
[data]
path = ".data/fashion-mnist"
batch_size = ${BATCH:-64}
max_train_samples = ${SAMPLES:-5120}
[schedule]
epochs = 4
warmup_epochs = 0.25
[algorithm]
name = "osgp"
[output]
progress = false
checkpoint_every_epochs = 1
consensus_every_iterations = 0
TOML
log=$out/launch.log
good=0
for start in $(seq 1 "$starts"); do
  rm -rf "$run"
  t0=$SECONDS
  setsid $sgp launch "$config" >"$log" 2>&1 &
  launcher=$!
  # Both processes paused at the first checkpoint, or 90 s.
  for _ in $(seq 1 450); do
    [ "$(grep -c 'paused at iteration' "$log")" -ge 2 ] && break
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.2
  done
  stuck=""
  for p in gpu0 gpu1; do
    grep -q "\[process $p\] checkpoint: its nodes paused" "$log" || stuck="$stuck $p"
  done
  if [ -z "$stuck" ]; then
    good=$((good + 1))
    echo "start $start: both processes trained to the first pause in $((SECONDS - t0)) s"
  else
    echo "start $start: FAIL, not at the first pause after $((SECONDS - t0)) s:$stuck"
    cp "$log" "$out/launch-$start.log"
    for p in $stuck; do
      pid=$(pgrep -f "node $config --process $p" | head -1)
      [ -n "$pid" ] && command -v cuda-gdb >/dev/null &&
        timeout 120 cuda-gdb -p "$pid" -batch -ex "thread apply all bt 25" >"$out/stack-$start-$p.txt" 2>&1
    done
  fi
  kill -9 -- -"$launcher" 2>/dev/null
  wait "$launcher" 2>/dev/null
  sleep 2
done
rm -f "$log"
echo "$good of $starts starts trained in both processes"
[ "$good" -eq "$starts" ]
