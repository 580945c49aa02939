#!/usr/bin/env bash
# Set-up, Release build, and the quickstart training run: bash scripts/quickstart.sh
# (the same build/ as scripts/test.sh: configured alike, so neither rebuilds
# what the other built). Each run replaces runs/quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/apps/sgp train config/examples/quickstart.toml --overwrite "$@"
