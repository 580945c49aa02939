// parallel_chunks (see parallel_chunks.hpp).
#include "core/parallel_chunks.hpp"

#include <algorithm>
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
  for (std::size_t t = 1; t < threads; ++t) {
    const std::size_t begin = std::min(n, t * chunk);
    const std::size_t end = std::min(n, begin + chunk);
    if (begin < end) helpers.emplace_back([&f, begin, end] { f(begin, end); });
  }
  f(0, std::min(n, chunk));
  // The jthreads join here.
}

}  // namespace sgp::core
