// Bulk loops over tens of millions of values on several threads: the host
// work of a push between processes (core/edge_delta: a ResNet-50 delta is
// 25.6 M values, and one thread takes tens of milliseconds per pass).
#pragma once

#include <cstddef>
#include <functional>

namespace sgp::core {

/// Calls f(begin, end) on contiguous chunks covering [0, n) exactly once,
/// on up to `max_threads` threads (the calling one included; 0: the
/// hardware's count, at most 8), as many as leave about `min_chunk` values
/// or more per chunk, so that short loops stay on the calling thread.
/// Returns when every chunk is done; a helper thread that cannot be started
/// leaves its chunks to the calling thread. f must not throw (on a helper
/// thread that would end the process), and chunks must not write the same
/// memory.
void parallel_chunks(std::size_t n, const std::function<void(std::size_t, std::size_t)>& f,
                     std::size_t max_threads = 0, std::size_t min_chunk = std::size_t{1} << 18);

}  // namespace sgp::core
