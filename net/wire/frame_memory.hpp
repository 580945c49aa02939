// Memory for received frame bodies, kept for the next frame. A push of a
// ResNet-50 is a 100 MB body; a fresh one per frame is page-faulted in by
// the kernel's copy into it (a fault per 4 KiB) and unmapped when dropped,
// which measured as a quarter of the receiver's time. Bodies of at least
// `large_bytes` are therefore not handed back to the allocator when freed:
// up to `kept_blocks` of them wait here, and the next body of the same size
// takes one, already mapped. Smaller bodies go straight to the allocator.
// Thread-safe: a body is allocated on the transport's I/O thread and freed
// wherever its frame is dropped (the bridge actor's thread).
#pragma once

#include <cstddef>

namespace sgp::net::wire::frame_memory {

inline constexpr std::size_t large_bytes = std::size_t{1} << 20;
inline constexpr std::size_t kept_blocks = 4;

/// `bytes` of storage: a kept block of exactly that size, or a new one.
[[nodiscard]] void* take(std::size_t bytes);

/// Gives back what take(bytes) returned: kept when large (the oldest kept
/// block is freed when `kept_blocks` are kept already), else freed.
void give(void* p, std::size_t bytes) noexcept;

/// Blocks kept now (tests, diagnostics).
[[nodiscard]] std::size_t kept();

/// Frees every kept block.
void release_all() noexcept;

}  // namespace sgp::net::wire::frame_memory
