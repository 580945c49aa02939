// The process environment that NCCL reads when it creates a communicator.
// NVLink multicast (NVLS) stays off everywhere sgp runs: call
// disable_nvlink_multicast() first thing in main, before any thread starts
// and before any NCCL communicator exists. No CUDA here, so any build can.
#pragma once

namespace sgp::core {

/// The variable that turns NCCL's NVLink SHARP / multicast algorithms on or off.
inline constexpr const char* nccl_nvls_variable = "NCCL_NVLS_ENABLE";

/// Sets NCCL_NVLS_ENABLE=0 unless the user already set it (their value wins).
/// Not thread-safe (setenv): call it before threads start.
void disable_nvlink_multicast();

}  // namespace sgp::core
