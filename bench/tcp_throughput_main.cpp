// sgp_bench_tcp: data-plane throughput on loopback. One tcp_transport sends
// push frames (fp32 payloads, gather-written) to another in the same
// process; the receiver checks every frame's CRC32C. Prints payload GB/s and,
// for reference, CRC32C alone on this CPU. bench/tcp_vs_iperf3.sh runs it
// next to iperf3 and prints the ratio.
//   sgp_bench_tcp [MiB per frame = 16] [frames = 64]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "net/tcp/tcp_transport.hpp"
#include "net/wire/crc32c.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 16;
  const std::size_t frames = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 64;
  if (mib == 0 || mib > 512 || frames == 0 || frames > 100000) {
    std::fprintf(stderr, "sgp: error: usage: sgp_bench_tcp [MiB per frame 1..512] [frames]\n");
    return 2;
  }
  const auto count = static_cast<std::uint32_t>(mib * (1u << 20) / 4);
  auto payload = std::make_shared<std::vector<std::uint8_t>>(std::size_t{count} * 4, 0x5a);

  std::mutex mutex;
  std::condition_variable cv;
  std::size_t received = 0;
  std::size_t received_bytes = 0;
  auto b = sgp::net::tcp::tcp_transport::start({}, [&](sgp::net::received_frame f) {
    std::lock_guard lock(mutex);
    ++received;
    received_bytes += f.body.size();
    cv.notify_all();
  });
  sgp::net::tcp::tcp_options opt;
  opt.max_queued_bytes = 4 * payload->size();
  auto a = sgp::net::tcp::tcp_transport::start(opt, nullptr);
  if (!a.ok() || !b.ok()) {
    std::fprintf(stderr, "sgp: error: cannot start the transports\n");
    return 1;
  }
  a.value()->add_peer(1, "127.0.0.1", b.value()->port());

  const auto t0 = clock_type::now();
  for (std::size_t k = 0; k < frames; ++k) {
    wire::push_fields f;
    f.sender = 0;
    f.receiver = 1;
    f.seq = k + 1;
    f.base = k;
    f.count = count;
    const auto head = wire::encode_push_head(f, *payload);  // CRC over the payload
    sgp::net::outgoing_frame out{
        std::make_shared<std::vector<std::uint8_t>>(head.begin(), head.end()), payload, 0};
    while (a.value()->deliver(1, out) == sgp::net::deliver_outcome::dropped_full)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  {
    std::unique_lock lock(mutex);
    if (!cv.wait_for(lock, std::chrono::seconds(120), [&] { return received == frames; })) {
      std::fprintf(stderr, "sgp: error: only %zu of %zu frames arrived\n", received, frames);
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  const double gbps = static_cast<double>(received_bytes) * 8.0 / seconds / 1e9;

  const auto c0 = clock_type::now();
  std::uint32_t crc = 0;
  for (int k = 0; k < 8; ++k) crc = wire::crc32c(*payload, crc);
  const double crc_seconds = std::chrono::duration<double>(clock_type::now() - c0).count();
  const double crc_gbs = 8.0 * static_cast<double>(payload->size()) / crc_seconds / 1e9;

  std::printf("sgp tcp loopback: %zu frames x %zu MiB in %.3f s: %.2f Gbit/s (%.2f GB/s)\n", frames,
              mib, seconds, gbps, gbps / 8.0);
  std::printf("crc32c (%s): %.2f GB/s on one core (checksum %08x)\n",
              wire::crc32c_hardware() ? "sse4.2" : "table", crc_gbs, crc);
  std::printf("frames sent %llu, rejected at receiver %llu\n",
              static_cast<unsigned long long>(a.value()->stats(1).frames_sent),
              static_cast<unsigned long long>(b.value()->inbound().rejected.total()));
  return 0;
}
