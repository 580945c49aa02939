#!/usr/bin/env bash
# Cluster checkpoints on the device machine, end to end: two `sgp node`
# processes (sgp launch) with their nodes on GPU 0 write a checkpoint every
# epoch; the whole cluster is killed with SIGKILL after the second pause,
# then `sgp launch --resume` continues it to the end. Prints each pause's
# time, the resumed run's summary, and fails loudly on a bad exit, a
# missing resume, a wrong push-sum weight or no learning.
#   bash bench/cluster_gpu_resume.sh   (needs `carry: [".debs", ".data"]`)
# MODEL (default cnn-bn: batch-norm statistics travel too), ALGORITHM
# (default osgp), NODES (per process, default 2), SAMPLES (training samples,
# default 12800), EPOCHS (default 4), BATCH (default 32), MIN_ACCURACY of
# the resumed run's averaged model (default 0.80; 0 for a timing run),
# KILL_NODE (a node the first run kills at iteration 5, so its cuts hold no
# state for it: the resumed run, with the same config, must not run that
# kill again, start the node without mass and end with every node live),
# KILL_PROCESS=1 (the first run's processes are started one by one with
# `sgp node`, gpu1 is killed with SIGKILL after the first pause and gpu0
# writes the second without it: the resume must go on with gpu1 dead at
# the cut, without mass under sgp/osgp, out of the run under ar-sgd).
set -u
out=${OUT:-/tmp/sgp-cluster-gpu-resume}
mkdir -p "$out"
# Also when build-dev is there: the build is then a no-op, and it sets the
# library path that a run of the binary needs.
source bench/device_build.sh sgp || exit 1
sgp=./build-dev/apps/sgp
source bench/cluster_tables.sh
model=${MODEL:-cnn-bn}
algorithm=${ALGORITHM:-osgp}
nodes=${NODES:-2}
samples=${SAMPLES:-12800}
epochs=${EPOCHS:-4}
batch=${BATCH:-32}
run=/tmp/sgp-cluster-gpu-resume-run
config=$out/cluster.toml
cat >"$config" <<TOML
[run]
name = "cluster-gpu-resume"
dir = "$run"
[cluster]
join_timeout = "120s"
$(two_processes "$nodes" 0 0)
[backend]
name = "cuda"
[model]
name = "$model"
[data]
path = ".data/fashion-mnist"
batch_size = $batch
max_train_samples = $samples
[schedule]
epochs = $epochs
warmup_epochs = 0.25
[algorithm]
name = "$algorithm"
[output]
progress = false
checkpoint_every_epochs = 1
consensus_every_iterations = 0
TOML
first_config=$config
if [ -n "${KILL_NODE:-}" ]; then
  first_config=$out/cluster-first.toml
  cp "$config" "$first_config"
  printf '[[faults]]\nat_iteration = 5\naction = "kill"\nnode = %s\n' "$KILL_NODE" >>"$first_config"
fi

rm -rf "$run" "$run-resumed"
if [ -n "${KILL_PROCESS:-}" ]; then
  setsid $sgp node "$first_config" --process gpu0 >"$out/first.log" 2>&1 &
  launcher=$!
  setsid $sgp node "$first_config" --process gpu1 >"$out/first-gpu1.log" 2>&1 &
  victim=$!
else
  setsid $sgp launch "$first_config" >"$out/first.log" 2>&1 &
  launcher=$!
fi
# How many cuts process $1 made its latest.ckpt (the metrics line comes
# after the rename).
committed() {
  local c
  c=$(grep -c '"event":"checkpoint"' "$run/$1/metrics.jsonl" 2>/dev/null)
  echo "${c:-0}"
}
# Waits up to $2 tenths of a second until every process named after them
# made $1 cuts.
wait_committed() {
  local n=$1 limit=$2 all p
  shift 2
  for _ in $(seq 1 "$limit"); do
    all=1
    for p in "$@"; do [ "$(committed "$p")" -ge "$n" ] || all=0; done
    [ $all -eq 1 ] && return 0
    sleep 0.1
  done
  return 1
}
if [ -n "${KILL_PROCESS:-}" ]; then
  wait_committed 1 1200 gpu0 gpu1
  kill -9 -- -"$victim" 2>/dev/null
  wait "$victim" 2>/dev/null
  echo "gpu1 killed at iteration $(grep -o '"iteration":[0-9]*' "$run/gpu1/metrics.jsonl" |
    tail -1 | cut -d: -f2)"
  wait_committed 2 1800 gpu0
else
  wait_committed 2 1200 gpu0 gpu1
fi
kill -9 -- -"$launcher" 2>/dev/null
wait "$launcher" 2>/dev/null
# Its `sgp node` processes die with it (PR_SET_PDEATHSIG in apps/launcher.cpp).
for _ in $(seq 1 50); do
  pgrep -f "node $first_config" >/dev/null || break
  sleep 0.1
done
if pgrep -f "node $first_config" >/dev/null; then
  echo "FAIL: sgp node processes outlived their launcher"; pkill -9 -f "node $first_config"; exit 1
fi
echo "first run, killed after its second checkpoint:"
grep -h "every live process wrote\|error" "$out/first.log" | sed 's/^/  /'
if [ -f "$run/summary.json" ] || [ ! -f "$run/gpu1/checkpoints/latest.ckpt" ]; then
  echo "FAIL: the first run finished before the kill, or wrote no checkpoint"
  tail -20 "$out/first.log"
  exit 1
fi

timeout 400 $sgp launch "$first_config" --resume "$run" --set run.dir="$run-resumed" >"$out/resumed.log" 2>&1
rc=$?
grep -h "resumed from\|has no state\|do not run again\|dead at\|stay out\|averaged\|push-sum weight" "$out/resumed.log" |
  sed 's/^/  /'
cp "$run-resumed/summary.json" "$out/resumed-summary.json" 2>/dev/null
if [ $rc -ne 0 ] || [ ! -f "$run-resumed/summary.json" ]; then
  echo "FAIL: the resumed run exited $rc"; tail -20 "$out/resumed.log"; exit 1
fi
# Live at the end: every node, but gpu1's under ar-sgd with KILL_PROCESS.
live=$((2 * nodes))
out_proc=
if [ -n "${KILL_PROCESS:-}" ] && [ "$algorithm" = ar-sgd ]; then
  live=$nodes
  out_proc=gpu1
fi
python3 - "$run-resumed" "$live" "${MIN_ACCURACY:-0.80}" "$out_proc" <<'PY'
import json, sys
run = sys.argv[1]
out_proc = sys.argv[4]
s = json.load(open(run + "/summary.json"))
err = abs(s["total_weight"] - s["expected_total_weight"]) / s["expected_total_weight"]
# The end's state is each process's latest.ckpt: its last "checkpoint" line.
ends = []
# (A process without live nodes writes a file without nodes, and no line.)
procs = [p for p in ("gpu0", "gpu1") if p != out_proc]
for p in procs:
    lines = [json.loads(l) for l in open(f"{run}/{p}/metrics.jsonl") if '"event":"checkpoint"' in l]
    ends.append(lines[-1]["iteration"] if lines else None)
ok = (err <= 1e-9 and s["test_accuracy_mean_model"] >= float(sys.argv[3])
      and s["live_nodes"] == int(sys.argv[2]) and ends == [s["iterations"]] * len(procs))
print(f"{'PASS' if ok else 'FAIL'} resumed: averaged {100*s['test_accuracy_mean_model']:.2f}%, "
      f"{s['iterations']} iterations, {s['live_nodes']} nodes live, weight error {err:.1e}, "
      f"expected weight {s['expected_total_weight']}, end checkpoints at {ends}")
sys.exit(0 if ok else 1)
PY
