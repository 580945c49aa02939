#!/usr/bin/env bash
# Builds the wire fuzzer with clang + libFuzzer into build-fuzz/ and runs it
# for SECONDS (default 60, the CI budget). The corpus persists in
# build-fuzz/corpus; crashes land in build-fuzz/crashes and fail the script.
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
cxx=${FUZZ_CXX:-$(command -v clang++-15 || command -v clang++ || true)}
if [ -z "$cxx" ]; then
  echo "fuzz: no clang++ found (apt-get install clang-15 libfuzzer-15-dev)" >&2
  exit 1
fi
dir=${FUZZ_BUILD_DIR:-build-fuzz}
cmake -S tests/fuzz -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$dir" -j "${JOBS:-1}"
mkdir -p "$dir/corpus" "$dir/crashes"
[ -n "$(ls -A "$dir/corpus")" ] || "$dir/sgp_wire_seeds" "$dir/corpus"
"$dir/sgp_wire_fuzzer" "$dir/corpus" -max_total_time="$seconds" -max_len=4096 \
  -artifact_prefix="$dir/crashes/" -print_final_stats=1 "$@"
