#!/usr/bin/env bash
# Prepares what a device call carries (run's `carry: [".debs", ".data"]`):
#   .debs/  the Debian packages bench/device_build.sh unpacks into a private
#           prefix (the device image has CUDA, cuDNN, NCCL, CMake and ninja,
#           none of the dev packages sgp's CMake needs);
#   .data/fashion-mnist/  Fashion-MNIST from Debian's dataset-fashion-mnist.
# Run once in a fresh checkout (needs apt-get; both folders are ignored by
# git). Prints what it fetched and the total size (a call carries 64 MiB).
#   bash bench/device_carry.sh
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(
  libcaf-dev libcaf-core0.17 libcaf-io0.17
  libboost1.81-dev
  libdnnl-dev libdnnl2 ocl-icd-opencl-dev ocl-icd-libopencl1 opencl-c-headers opencl-clhpp-headers
  libtomlplusplus-dev libtomlplusplus3 catch2 libcli11-dev
  zlib1g-dev libedit-dev libedit2 libbsd0 libmd0 libncurses-dev libtinfo6
  libcpp-httplib-dev libcpp-httplib0.11 libbrotli-dev libbrotli1 libssl-dev libssl3 pkgconf pkgconf-bin libpkgconf3
  libgloo-dev libgloo0 libhiredis0.14 libibverbs1 libnl-3-200 libnl-route-3-200
)
mkdir -p .debs
(
  cd .debs
  for p in "${packages[@]}"; do
    ls "${p}"_*.deb >/dev/null 2>&1 && continue
    apt-get download -qq "$p" 2>/dev/null || echo "device_carry: no package $p here (skipped)" >&2
  done
)
if [ ! -d .data/fashion-mnist ]; then
  src=$(dpkg -L dataset-fashion-mnist 2>/dev/null | grep -m1 'train-images' || true)
  if [ -z "$src" ]; then
    echo "device_carry: dataset-fashion-mnist is not installed (bash scripts/setup.sh)" >&2
    exit 1
  fi
  mkdir -p .data/fashion-mnist
  cp "$(dirname "$src")"/*-ubyte* .data/fashion-mnist/
fi
ls .debs
du -sh .debs .data
