// The NCCL implementation of gpu::process_sum (see gpu/process_sum.hpp):
// one rank per process, on the process's GPU, a non-blocking communicator
// so that every wait has a deadline. Built only with NCCL (SGP_HAVE_NCCL).
#pragma once

#include <memory>

#include "core/result.hpp"
#include "gpu/process_sum.hpp"

namespace sgp::gpu::cuda {

core::result<std::unique_ptr<process_sum>> make_nccl_process_sum(process_sum_setup setup);

}  // namespace sgp::gpu::cuda
