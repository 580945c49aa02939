#!/usr/bin/env bash
# The same group two ways, in one run: P `sgp node` processes on P
# "hosts" (network namespaces whose links are shaped with tbf to RATE),
# and `sgp train` with the P nodes in one process over the link emulator
# at the same bandwidth. Prints the steady-state seconds per iteration of
# compute-only (none), ar-sgd (Gloo across processes), sgp and osgp both
# ways and their ratio (the issue's goal: within 10 %): per node, from its
# metrics.jsonl times between the iteration at a fifth of the run and the
# last; the slowest node. Each node computes on one thread both ways
# (backend.threads = 1), so that P processes do not oversubscribe the cores.
# Needs root, ip and tc.
#   [PROCESSES=4] [ALGORITHMS="none ar-sgd sgp osgp"] bash bench/cluster_vs_emulator.sh [RATE_MBIT] [ITERATIONS]
set -u
rate_mbit=${1:-1000}
iterations=${2:-200}
procs=${PROCESSES:-4}
algorithms=${ALGORITHMS:-none ar-sgd sgp osgp}
last=$((procs - 1))
sgp=${SGP:-$PWD/build/apps/sgp}
id=$(($$ % 10000))
work=$(mktemp -d /tmp/sgp-cve.XXXXXX)
cleanup() {
  pkill -KILL -P $$ 2>/dev/null
  for i in $(seq 0 $last); do ip netns del "sgpb${id}_$i" 2>/dev/null; done
  ip link del "sgpbb$id" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
net="10.$((200 + id / 256 % 50)).$((id % 256))"
ip link add "sgpbb$id" type bridge && ip link set "sgpbb$id" up || exit 1
for i in $(seq 0 $last); do
  ns=sgpb${id}_$i
  ip netns add "$ns" &&
    ip link add "vb${id}_$i" type veth peer name vn$i netns "$ns" &&
    ip link set "vb${id}_$i" master "sgpbb$id" up &&
    ip -n "$ns" addr add "$net.$((i + 1))/24" dev vn$i &&
    ip -n "$ns" link set vn$i up && ip -n "$ns" link set lo up &&
    ip netns exec "$ns" tc qdisc add dev vn$i root tbf rate "${rate_mbit}mbit" burst 256kb \
      latency 50ms || exit 1
done

common="[model]
name = \"mlp\"
[data]
batch_size = 32
[schedule]
epochs = 1
max_iterations = $iterations
[backend]
threads = 1
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = 0"

per_iteration() {  # METRICS... -> steady-state seconds per iteration of the slowest node
  python3 - "$@" <<'PY'
import json, sys
times = {}
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        if r.get("event") == "train":
            times.setdefault((path, r["node"]), {})[r["iteration"]] = r["time"]
worst = 0.0
for t in times.values():
    last = max(t)
    first = max(1, last // 5)
    if last > first and first in t:
        worst = max(worst, (t[last] - t[first]) / (last - first))
print(f"{worst:.4f}" if worst > 0 else "nan")
PY
}

printf "%-8s %14s %14s %8s\n" algorithm "processes s/it" "emulator s/it" ratio
for algorithm in $algorithms; do
  dir=$work/$algorithm
  mkdir -p "$dir"
  {
    echo "[run]"; echo "dir = \"$dir/cluster\""
    echo "[cluster]"; echo "process_timeout = \"5s\""
    for i in $(seq 0 $last); do
      printf '[[cluster.process]]\nname = "h%d"\nhost = "%s.%d"\nport = 29500\nnodes = 1\n' \
        $i "$net" $((i + 1))
    done
    echo "$common"; echo "[algorithm]"; echo "name = \"$algorithm\""
  } >"$dir/cluster.toml"
  pids=()
  for i in $(seq 0 $last); do
    ip netns exec "sgpb${id}_$i" "$sgp" node "$dir/cluster.toml" --process h$i >"$dir/h$i.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  {
    echo "[run]"; echo "dir = \"$dir/one\""; echo "[cluster]"; echo "nodes = $procs"
    echo "[network]"; echo "bandwidth = \"${rate_mbit}Mbit\""
    echo "$common"; echo "[algorithm]"; echo "name = \"$algorithm\""
  } >"$dir/one.toml"
  "$sgp" train "$dir/one.toml" >"$dir/one.log" 2>&1
  a=$(per_iteration "$dir"/cluster/h*/metrics.jsonl 2>/dev/null || echo nan)
  b=$(per_iteration "$dir/one/metrics.jsonl" 2>/dev/null || echo nan)
  r=$(python3 -c "print(f'{$a/$b:.2f}')" 2>/dev/null || echo nan)
  printf "%-8s %14s %14s %8s\n" "$algorithm" "$a" "$b" "$r"
done
