// parallel_chunks (see parallel_chunks.hpp).
#include "core/parallel_chunks.hpp"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

namespace sgp::core {

void parallel_chunks(std::size_t n, const std::function<void(std::size_t, std::size_t)>& f,
                     std::size_t max_threads, std::size_t min_chunk) {
  if (n == 0) return;
  if (max_threads == 0) {
    max_threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  }
  const std::size_t by_size = std::max<std::size_t>(1, n / std::max<std::size_t>(min_chunk, 1));
  const std::size_t threads = std::min(max_threads, by_size);
  if (threads <= 1) {
    f(0, n);
    return;
  }
  const std::size_t chunk = (n + threads - 1) / threads;
  std::vector<std::jthread> helpers;
  helpers.reserve(threads - 1);
  // Where the chunks no helper took begin: a thread that cannot be started
  // (a process at its thread limit) leaves the rest to this one, so every
  // index is still done exactly once and nothing throws half-way.
  std::size_t rest = n;
  for (std::size_t t = 1; t < threads; ++t) {
    const std::size_t begin = std::min(n, t * chunk);
    const std::size_t end = std::min(n, begin + chunk);
    if (begin >= end) break;
    try {
      helpers.emplace_back([&f, begin, end] { f(begin, end); });
    } catch (const std::system_error&) {
      rest = begin;
      break;
    }
  }
  f(0, std::min(n, chunk));
  if (rest < n) f(rest, n);
  // The jthreads join here.
}

}  // namespace sgp::core
