#!/usr/bin/env bash
# Set-up, build and every test: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/format_check.sh
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900)

# The newcomer's path (scripts/newcomer_check.sh): quickstart.sh, then the
# README's usage examples as written. It uses build/ and writes runs/, as a
# fresh clone would (CI's case); elsewhere it says why it did not run.
if [ "${BUILD_DIR:-build}" != build ]; then
  echo "test: newcomer check NOT run: it uses build/, the README's, not BUILD_DIR=$BUILD_DIR"
elif [ -e runs ]; then
  echo "test: newcomer check NOT run: runs/ exists (a fresh clone has none);" \
    "bash scripts/newcomer_check.sh in a fresh clone runs it"
else
  bash scripts/newcomer_check.sh
fi
