#!/usr/bin/env bash
# Time from SIGKILL of a process to the survivors' reshaped topology, over
# KILLS trials (default 20): three `sgp node` processes of one node each
# (the MLP on Fashion-MNIST, SGP) on 127.0.0.1; once the first has trained
# 10 iterations the third is killed; each survivor's metrics.jsonl records
# the wall-clock time its view dropped the dead nodes (process_down). Prints
# every trial and the worst, against the goal of 1 s.
#   bash bench/cluster_kill_bench.sh [KILLS]
set -u
kills=${1:-20}
sgp=${SGP:-build/apps/sgp}
work=$(mktemp -d /tmp/sgp-kill-bench.XXXXXX)
trap 'pkill -KILL -P $$ 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
worst=0
over=0
for trial in $(seq 1 "$kills"); do
  dir=$work/t$trial
  mkdir -p "$dir"
  # Below the ephemeral range (32768 and up): no outgoing connection takes them.
  base=$((20000 + (trial * 7 + $$) % 12000))
  cat >"$dir/c.toml" <<TOML
[run]
dir = "$dir/run"
[cluster]
process_timeout = "1s"
[[cluster.process]]
name = "p0"
host = "127.0.0.1"
port = $base
[[cluster.process]]
name = "p1"
host = "127.0.0.1"
port = $((base + 1))
[[cluster.process]]
name = "p2"
host = "127.0.0.1"
port = $((base + 2))
[model]
name = "mlp"
[data]
batch_size = 32
max_train_samples = 20000
[schedule]
epochs = 1
max_iterations = 200
[algorithm]
name = "sgp"
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = 0
TOML
  pids=()
  for p in p0 p1 p2; do
    $sgp node "$dir/c.toml" --process $p >"$dir/$p.log" 2>&1 &
    pids+=($!)
  done
  for _ in $(seq 1 600); do
    it=$(grep -o '"iteration":[0-9]*' "$dir/run/p0/metrics.jsonl" 2>/dev/null | tail -1 | cut -d: -f2)
    [ "${it:-0}" -ge 10 ] && break
    sleep 0.05
  done
  killed_at=$(date +%s.%N)
  if ! kill -KILL "${pids[2]}" 2>/dev/null; then
    echo "trial $trial: void: p2 had already exited:"; tail -n 3 "$dir/p2.log"
    wait "${pids[0]}" "${pids[1]}" 2>/dev/null
    continue
  fi
  wait "${pids[0]}" "${pids[1]}" 2>/dev/null
  line=""
  for p in p0 p1; do
    t=$(grep -o '"event":"process_down".*"unix_time":[0-9.e+]*' "$dir/run/$p/metrics.jsonl" |
        grep -o '"unix_time":[0-9.e+]*' | cut -d: -f2)
    if [ -z "$t" ]; then
      line+=" $p: no process_down"
      over=$((over + 1))
      continue
    fi
    d=$(python3 -c "print(f'{$t - $killed_at:.3f}')")
    line+=" $p: ${d} s"
    worst=$(python3 -c "print(max($worst, $d))")
    over=$((over + $(python3 -c "print(int($d > 1.0))")))
  done
  echo "trial $trial:$line"
done
echo "worst of $kills kills: $worst s (goal: every one <= 1 s; over: $over)"
