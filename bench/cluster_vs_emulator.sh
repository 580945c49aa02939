#!/usr/bin/env bash
# The same group two ways, in one run: four `sgp node` processes on four
# "hosts" (network namespaces whose links are shaped with tbf to RATE),
# and `sgp train` with the four nodes in one process over the link emulator
# at the same bandwidth. Prints seconds per iteration (wall / iterations of
# the run) of compute-only (none), sgp and osgp both ways and their ratio
# (the goal: within 10 %). Needs root, ip and tc.
#   bash bench/cluster_vs_emulator.sh [RATE_MBIT] [ITERATIONS]
set -u
rate_mbit=${1:-1000}
iterations=${2:-80}
sgp=${SGP:-$PWD/build/apps/sgp}
id=$(($$ % 10000))
work=$(mktemp -d /tmp/sgp-cve.XXXXXX)
cleanup() {
  pkill -KILL -P $$ 2>/dev/null
  for i in 0 1 2 3; do ip netns del "sgpb${id}_$i" 2>/dev/null; done
  ip link del "sgpbb$id" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
net="10.$((200 + id / 256 % 50)).$((id % 256))"
ip link add "sgpbb$id" type bridge && ip link set "sgpbb$id" up || exit 1
for i in 0 1 2 3; do
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
[output]
progress = false
checkpoint_every_epochs = 0
consensus_every_iterations = 0"

per_iteration() {  # SUMMARY -> seconds per iteration
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(f\"{s['wall_seconds']/s['iterations']:.4f}\")" "$1"
}

printf "%-8s %14s %14s %8s\n" algorithm "processes s/it" "emulator s/it" ratio
for algorithm in none sgp osgp; do
  dir=$work/$algorithm
  mkdir -p "$dir"
  {
    echo "[run]"; echo "dir = \"$dir/cluster\""
    echo "[cluster]"; echo "process_timeout = \"5s\""
    for i in 0 1 2 3; do
      printf '[[cluster.process]]\nname = "h%d"\nhost = "%s.%d"\nport = 29500\nnodes = 1\n' \
        $i "$net" $((i + 1))
    done
    echo "$common"; echo "[algorithm]"; echo "name = \"$algorithm\""
  } >"$dir/cluster.toml"
  pids=()
  for i in 0 1 2 3; do
    ip netns exec "sgpb${id}_$i" "$sgp" node "$dir/cluster.toml" --process h$i >"$dir/h$i.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  {
    echo "[run]"; echo "dir = \"$dir/one\""; echo "[cluster]"; echo "nodes = 4"
    echo "[network]"; echo "bandwidth = \"${rate_mbit}Mbit\""
    echo "$common"; echo "[algorithm]"; echo "name = \"$algorithm\""
  } >"$dir/one.toml"
  "$sgp" train "$dir/one.toml" >"$dir/one.log" 2>&1
  a=$(per_iteration "$dir/cluster/summary.json" 2>/dev/null || echo nan)
  b=$(per_iteration "$dir/one/summary.json" 2>/dev/null || echo nan)
  r=$(python3 -c "print(f'{$a/$b:.2f}')" 2>/dev/null || echo nan)
  printf "%-8s %14s %14s %8s\n" "$algorithm" "$a" "$b" "$r"
done
