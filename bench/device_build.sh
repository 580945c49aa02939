#!/usr/bin/env bash
# Configures and builds sgp on the device machine, whose image has CUDA,
# cuDNN and NCCL (in PyTorch's wheels), CMake and ninja but none of the Debian dev
# packages the top-level CMake needs. Those travel as .deb files in .debs/
# (named in the run's `carry`) and are unpacked into a private prefix.
#   source bench/device_build.sh TARGET...
# Leaves LD_LIBRARY_PATH set for running what it built.
sgp_deps=/tmp/sgp-deps
sgp_arch=$sgp_deps/usr/lib/x86_64-linux-gnu
mkdir -p "$sgp_deps"
for f in .debs/*.deb; do dpkg -x "$f" "$sgp_deps"; done
# Gloo (libgloo-dev, libgloo0 and the libraries it loads: libhiredis0.14,
# libibverbs1, libnl-3-200, libnl-route-3-200) gives ar-sgd across
# processes; its exported target names /usr/lib/libgloo.so.* absolutely.
for f in "$sgp_deps"/usr/share/cmake/Gloo/GlooTargets-*.cmake; do
  [ -f "$f" ] && sed -i "s#\"/usr/lib/libgloo#\"$sgp_deps/usr/lib/libgloo#g" "$f"
done
sgp_cudnn=""
if [ ! -f /usr/local/cuda/include/cudnn.h ] && [ ! -f /usr/include/cudnn.h ]; then
  sgp_cudnn=$(python3 -c 'import nvidia.cudnn; print(list(nvidia.cudnn.__path__)[0])')
fi
sgp_nccl=""
if [ ! -f /usr/local/cuda/include/nccl.h ] && [ ! -f /usr/include/nccl.h ]; then
  sgp_nccl=$(python3 -c 'import nvidia.nccl; print(list(nvidia.nccl.__path__)[0])' 2>/dev/null)
fi
sgp_zlib=()
if [ ! -f /usr/include/zlib.h ]; then
  sgp_zlib=(-DZLIB_INCLUDE_DIR="$sgp_deps/usr/include" -DZLIB_LIBRARY="$sgp_arch/libz.a")
fi
# pkg-config (pkgconf from .debs) finds cpp-httplib's .pc under the prefix.
export PATH="$sgp_deps/usr/bin:$PATH"
export PKG_CONFIG_PATH="$sgp_arch/pkgconfig:$sgp_deps/usr/share/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$sgp_deps"
export LD_LIBRARY_PATH="$sgp_arch${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cmake -S . -B build-dev -G Ninja -DCMAKE_BUILD_TYPE=Release -DSGP_BUILD_TESTS=ON \
  -DCMAKE_PREFIX_PATH="$sgp_deps/usr" \
  -Ddnnl_DIR="$sgp_arch/cmake/dnnl" -Dtomlplusplus_DIR="$sgp_arch/cmake/tomlplusplus" \
  -DCatch2_DIR="$sgp_deps/usr/lib/cmake/Catch2" -DCLI11_DIR="$sgp_deps/usr/share/cmake/CLI11" \
  -DOpenCL_INCLUDE_DIR="$sgp_deps/usr/include" -DOpenCL_LIBRARY="$sgp_arch/libOpenCL.so" \
  ${sgp_cudnn:+-DSGP_CUDNN_ROOT="$sgp_cudnn"} ${sgp_nccl:+-DSGP_NCCL_ROOT="$sgp_nccl"} \
  "${sgp_zlib[@]}" >/tmp/sgp-configure.log 2>&1 ||
  { tail -40 /tmp/sgp-configure.log; return 1 2>/dev/null || exit 1; }
export LD_LIBRARY_PATH="$sgp_arch:$sgp_deps/usr/lib${sgp_cudnn:+:$sgp_cudnn/lib}${sgp_nccl:+:$sgp_nccl/lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cmake --build build-dev -j16 --target "$@" >/tmp/sgp-build.log 2>&1 ||
  { grep -vE '^\[[0-9]+/[0-9]+\] ' /tmp/sgp-build.log | tail -40; return 1 2>/dev/null || exit 1; }
