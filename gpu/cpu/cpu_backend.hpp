// The CPU compute backend: host buffers, models on oneDNN, and the
// optimizer's flat-vector kernel with OpenMP.
#pragma once

#include <memory>

#include "gpu/backend.hpp"

namespace sgp::gpu::cpu {

/// A CPU backend using `threads` OpenMP threads (0: all cores). The count
/// is set before primitives are created and again on every call, since
/// OpenMP keeps it per calling thread.
std::unique_ptr<backend> make_cpu_backend(int threads);

}  // namespace sgp::gpu::cpu
