#!/usr/bin/env bash
# Installs the build tree BUILD_DIR into a temporary prefix, then configures,
# builds and runs examples/consumer against it (find_package(sgp) and
# sgp::runtime). Usage: bash scripts/consumer_check.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sgp-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root/examples/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/build" -j "${JOBS:-2}" >/dev/null
"$work/build/sgp_consumer"
echo "consumer: built and ran against $work/prefix"
