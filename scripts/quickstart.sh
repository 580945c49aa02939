#!/usr/bin/env bash
# Set-up, Release build, and the quickstart training run: bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/apps/sgp train config/examples/quickstart.toml "$@"
