// Forced into every translation unit of sgp_runtime (runtime/CMakeLists.txt):
// the identifier `caf` is poisoned, so a CAF header included here, directly
// or through another header, stops the build at its `namespace caf`.
#pragma once

#pragma GCC poison caf
