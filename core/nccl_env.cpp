// NCCL environment defaults (see nccl_env.hpp).
#include "core/nccl_env.hpp"

#include <cstdlib>

namespace sgp::core {

void disable_nvlink_multicast() {
  // overwrite = 0: an explicit NCCL_NVLS_ENABLE from the user is kept.
  (void)::setenv(nccl_nvls_variable, "0", 0);
}

}  // namespace sgp::core
