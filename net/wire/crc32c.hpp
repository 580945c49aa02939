// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78): the
// checksum of every frame (iSCSI, ext4 and gRPC use the same). On x86-64 with
// SSE4.2 it runs on the crc32 instruction (several GB/s); elsewhere on a
// byte-wise table. Both give the same bits (tested).
#pragma once

#include <cstdint>
#include <span>

namespace sgp::net::wire {

/// CRC32C of `bytes`, continuing from `crc` (0 to start; pass a previous
/// result to extend it over the next buffer of a scatter-gather list).
[[nodiscard]] std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

/// The table implementation, whatever the CPU (tests compare the two).
[[nodiscard]] std::uint32_t crc32c_portable(std::span<const std::uint8_t> bytes,
                                            std::uint32_t crc = 0);

/// Whether crc32c() uses the CPU's crc32 instruction.
[[nodiscard]] bool crc32c_hardware();

}  // namespace sgp::net::wire
