// Compiled by the ctest `runtime_refuses_caf` with sgp_runtime's options, and
// expected NOT to build: runtime/ must not reach CAF (runtime/no_caf.hpp).
#include "runtime/compute_engine.hpp"

#include <caf/all.hpp>
