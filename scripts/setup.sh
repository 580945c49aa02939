#!/usr/bin/env bash
# Installs every Debian package sgp needs. Idempotent and non-interactive:
# runs `apt-get update` once per machine, then installs what is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache clang-format git pkg-config
  catch2                     # tests (Catch2 v2)
  libtomlplusplus-dev        # config
  libdnnl-dev ocl-icd-opencl-dev  # CPU compute (oneDNN needs OpenCL's loader to configure)
  libcli11-dev               # command line
  zlib1g-dev                 # gzipped IDX datasets
  dataset-fashion-mnist      # the real dataset
  libcaf-dev                 # actors
  libedit-dev                # console line editing
  libboost1.81-dev           # the TCP data plane (Boost.Asio)
  libcpp-httplib-dev         # the status page's HTTP server (output.http)
  libgloo-dev                # ar-sgd across processes (Gloo over TCP; optional)
  chromium                   # the status page's headless browser test
  python3-matplotlib         # scripts/plot.py
  python3-torch              # the saved model loads into PyTorch (run_outputs_test)
  tmux                       # the console's terminal test
  clang-15 libfuzzer-15-dev  # the wire fuzzer (scripts/fuzz.sh)
  iperf3                     # loopback throughput reference for the TCP data plane
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
stamp=/var/lib/apt/periodic/sgp-update-stamp
if [ ! -f "$stamp" ]; then
  echo "setup: apt-get update"
  $sudo apt-get update -qq
  $sudo mkdir -p "$(dirname "$stamp")" && $sudo touch "$stamp"
fi
echo "setup: installing ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
