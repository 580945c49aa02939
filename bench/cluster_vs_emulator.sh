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
# The emulator's nodes share one interface each (network.shared_egress;
# SHARED_EGRESS=false gives every link its own bandwidth, the default of
# sgp train). DATA: Fashion-MNIST's folder (Debian's by default; .data/fashion-mnist on
# the device machine, see bench/device_carry.sh). SGP: the binary. Also prints
# both ways' averaged model's test accuracy; EPOCHS (1) sets the schedule's
# length, ITERATIONS cuts the run.
# ALGORITHMS may name tcp-ring: a ring AllReduce's bytes over plain TCP
# between the same hosts (bench/tcp_ring.py), the links' own limit.
# The "hosts" share this machine's cores under addresses of their own: each
# process gets cluster.actor_threads = max(2, cores / P), as processes with
# one address would (ACTOR_THREADS=N sets it, ACTOR_THREADS=0 leaves CAF's
# default), and cluster.actor_polling = "quiet" where their threads together
# outnumber the cores, as with one address (ACTOR_POLLING=auto|busy|quiet).
#   [PROCESSES=4] [EPOCHS=1] [ACTOR_THREADS=N] [ACTOR_POLLING=quiet] [ALGORITHMS="none ar-sgd sgp osgp"] [SLOW_START_AFTER_IDLE=0|1] [TBF_LATENCY=50ms (the shaper's queue)] [DATA=DIR] [SGP=BIN] bash bench/cluster_vs_emulator.sh [RATE_MBIT] [ITERATIONS]
set -u
rate_mbit=${1:-1000}
iterations=${2:-200}
procs=${PROCESSES:-4}
algorithms=${ALGORITHMS:-none ar-sgd sgp osgp}
last=$((procs - 1))
actor_threads=${ACTOR_THREADS:-$(($(nproc) / procs > 2 ? $(nproc) / procs : 2))}
actor_polling=${ACTOR_POLLING:-$([ $((procs * actor_threads)) -gt "$(nproc)" ] && echo quiet || echo busy)}
sgp=${SGP:-$PWD/build/apps/sgp}
id=$(($$ % 10000))
work=$(mktemp -d /tmp/sgp-cve.XXXXXX)
cleanup() {
  pkill -KILL -P $$ 2>/dev/null
  for i in $(seq 0 $last); do ip netns del "sgpb${id}_$i" 2>/dev/null; done
  ip link del "sgpbb$id" 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
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
    ip netns exec "$ns" tc qdisc add dev vn$i root handle 1: tbf rate "${rate_mbit}mbit" \
      burst 256kb latency "${TBF_LATENCY:-50ms}" || exit 1
  # SLOW_START_AFTER_IDLE=0: TCP keeps its congestion window across the
  # pauses between pushes (net.ipv4.tcp_slow_start_after_idle, per namespace).
  if [ -n "${SLOW_START_AFTER_IDLE:-}" ]; then
    ip netns exec "$ns" sh -c "echo $SLOW_START_AFTER_IDLE > /proc/sys/net/ipv4/tcp_slow_start_after_idle" ||
      exit 1
  fi
done

common="[model]
name = \"${MODEL:-mlp}\"
[data]
batch_size = 32${DATA:+
path = \"$DATA\"}
[schedule]
epochs = ${EPOCHS:-1}
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
            times.setdefault((path, r["node"]), {})[r["iteration"]] = r
worst, detail = 0.0, ""
for t in times.values():
    last = max(t)
    first = max(1, last // 5)
    if last > first and first in t:
        span = [t[i] for i in range(first + 1, last + 1) if i in t]
        per = (t[last]["time"] - t[first]["time"]) / (last - first)
        if per > worst:
            worst = per
            mean = lambda k: sum(r.get(k, 0.0) for r in span) / max(1, len(span))
            sent = (t[last].get("bytes_sent", 0) - t[first].get("bytes_sent", 0)) / (last - first)
            ws = [r.get("w", 1.0) for r in span]
            detail = (f"compute {mean('compute') * 1e3:.1f} ms, comm_wait {mean('comm_wait') * 1e3:.1f} ms, "
                      f"pushed {sent / 1e6:.2f} MB/it, w {min(ws):.3f}-{max(ws):.3f}")
print(f"{worst:.4f}" if worst > 0 else "nan")
print(detail)
PY
}

accuracy() {  # SUMMARY -> the averaged model's test accuracy in %
  python3 -c "import json, sys; print(f'{100 * json.load(open(sys.argv[1]))[\"test_accuracy_mean_model\"]:.2f} %')" \
    "$1" 2>/dev/null || echo "?"
}

sent_bytes() {  # -> bytes each host's shaped link has sent so far, space-separated
  for i in $(seq 0 $last); do
    ip netns exec "sgpb${id}_$i" tc -s qdisc show dev vn$i | awk '/Sent/ {print $2; exit}'
  done | tr '\n' ' '
}

tcp_losses() {  # -> per host: packets its shaper dropped, TCP segments it retransmitted
  for i in $(seq 0 $last); do
    d=$(ip netns exec "sgpb${id}_$i" tc -s qdisc show dev vn$i | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1)
    r=$(ip netns exec "sgpb${id}_$i" nstat -az TcpRetransSegs 2>/dev/null | awk '/TcpRetransSegs/ {print $2}')
    echo "${d:-?}/${r:-?}"
  done | tr '\n' ' '
}

printf "%-8s %14s %14s %8s\n" algorithm "processes s/it" "emulator s/it" ratio
for algorithm in $algorithms; do
  dir=$work/$algorithm
  mkdir -p "$dir"
  if [ "$algorithm" = tcp-ring ]; then
    # A ring AllReduce's traffic for the MLP's sum (RING_BYTES, 7.45 MB in
    # fp32) over plain TCP between the same hosts, no Gloo, no sgp
    # (bench/tcp_ring.py): what the shaped links allow a ring.
    hosts=$(for i in $(seq 0 $last); do printf '%s.%d,' "$net" $((i + 1)); done)
    pids=()
    for i in $(seq 0 $last); do
      ip netns exec "sgpb${id}_$i" python3 bench/tcp_ring.py $i "${hosts%,}" 29600 \
        "${RING_BYTES:-7450000}" "${RING_ITERATIONS:-30}" 8 5 "$rate_mbit" >"$dir/r$i.log" 2>&1 &
      pids+=($!)
    done
    wait "${pids[@]}"
    cat "$dir"/r*.log | sed 's/^/         tcp-ring /'
    echo "         shaper drops/TCP retransmits so far, per host: $(tcp_losses)"
    continue
  fi
  {
    echo "[run]"; echo "dir = \"$dir/cluster\""
    echo "[cluster]"; echo "process_timeout = \"5s\""
    echo "actor_threads = $actor_threads"; echo "actor_polling = \"$actor_polling\""
    for i in $(seq 0 $last); do
      printf '[[cluster.process]]\nname = "h%d"\nhost = "%s.%d"\nport = 29500\nnodes = 1\n' \
        $i "$net" $((i + 1))
    done
    echo "$common"; echo "[algorithm]"; echo "name = \"$algorithm\""
  } >"$dir/cluster.toml"
  before=($(sent_bytes))
  pids=()
  for i in $(seq 0 $last); do
    ip netns exec "sgpb${id}_$i" "$sgp" node "$dir/cluster.toml" --process h$i >"$dir/h$i.log" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  after=($(sent_bytes))
  {
    echo "[run]"; echo "dir = \"$dir/one\""; echo "[cluster]"; echo "nodes = $procs"
    # tbf shapes each host's interface: a node's links share it.
    echo "[network]"; echo "bandwidth = \"${rate_mbit}Mbit\""; echo "shared_egress = ${SHARED_EGRESS:-true}"
    echo "$common"; echo "[algorithm]"; echo "name = \"$algorithm\""
  } >"$dir/one.toml"
  "$sgp" train "$dir/one.toml" >"$dir/one.log" 2>&1
  pa=$(per_iteration "$dir"/cluster/h*/metrics.jsonl 2>/dev/null || echo nan)
  pb=$(per_iteration "$dir/one/metrics.jsonl" 2>/dev/null || echo nan)
  a=$(head -1 <<<"$pa")
  b=$(head -1 <<<"$pb")
  r=$(python3 -c "print(f'{$a/$b:.2f}')" 2>/dev/null || echo nan)
  printf "%-8s %14s %14s %8s\n" "$algorithm" "$a" "$b" "$r"
  # Where the time goes (the slowest node's steady state), and what each
  # host's shaped link carried per iteration over the whole run.
  wire=$(for i in $(seq 0 $last); do
    python3 -c "print(f'{(${after[$i]:-0} - ${before[$i]:-0}) / $iterations / 1e6:.2f}')"
  done | tr '\n' ' ')
  echo "         processes: $(tail -1 <<<"$pa"); links carried MB/it: $wire"
  echo "         shaper drops/TCP retransmits so far, per host: $(tcp_losses)"
  echo "         emulator:  $(tail -1 <<<"$pb")"
  echo "         averaged model's test accuracy: processes $(accuracy "$dir/cluster/summary.json"), emulator $(accuracy "$dir/one/summary.json")"
done
