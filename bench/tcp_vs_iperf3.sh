#!/usr/bin/env bash
# The TCP data plane against iperf3 on loopback, in the same run:
#   bench/tcp_vs_iperf3.sh [BUILD_DIR=build]
# Prints both and the ratio (issue 11's goal: >= 80 %).
set -euo pipefail
build=${1:-build}
port=5299
iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
server=$!
sleep 0.3
iperf=$(iperf3 -c 127.0.0.1 -p "$port" -t 5 -J | python3 -c \
  'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)')
wait "$server" || true
echo "iperf3 loopback: $iperf Gbit/s"
# 16 MiB frames, and 100 MiB (a ResNet-50 push in f32).
for frame in "16 128" "100 24"; do
  out=$("$build/bench/sgp_bench_tcp" $frame)
  echo "$out"
  sgp=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) Gbit\/s.*/\1/p')
  python3 -c "print(f'sgp / iperf3: {100*$sgp/$iperf:.1f} %')"
done
