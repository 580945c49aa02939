// Gloo's sum across processes (net/gloo/gloo_allreduce.hpp), with three
// in-process ranks on 127.0.0.1 and the rendezvous over a store loopback:
// the sum, a rebuild over two survivors where one of them is an iteration
// ahead (it gets the sum it applied), and a rendezvous that fails at its
// deadline instead of hanging.
#ifdef SGP_HAVE_GLOO
#include "net/gloo/gloo_allreduce.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/net/store_hub.hpp"

using namespace std::chrono_literals;
using sgp::net::gloo_allreduce;

namespace {

std::vector<std::unique_ptr<gloo_allreduce>> ranks(sgp::test::store_hub& hub, int n,
                                                   std::chrono::milliseconds timeout) {
  std::vector<std::unique_ptr<gloo_allreduce>> out;
  for (int i = 0; i < n; ++i) {
    sgp::net::gloo_setup s;
    s.process = static_cast<std::uint32_t>(i);
    s.names = {"p0", "p1", "p2"};
    s.host = "127.0.0.1";
    s.timeout = timeout;
    out.push_back(std::make_unique<gloo_allreduce>(s, hub.stores[static_cast<std::size_t>(i)]));
  }
  return out;
}

/// What one rank's sum gave.
struct sum_outcome {
  bool ok = false;
  std::vector<double> values;
  std::string why;
};

/// One rank's sum on a thread of its own (each blocks until all have called).
struct pending_sum {
  sum_outcome out;
  std::thread thread;
  sum_outcome get() {
    thread.join();
    return out;
  }
};

std::unique_ptr<pending_sum> sum_async(gloo_allreduce& g, std::uint64_t iteration,
                                       std::vector<double> v, std::vector<bool> live) {
  auto p = std::make_unique<pending_sum>();
  p->thread = std::thread([&g, iteration, v = std::move(v), live = std::move(live), p = p.get()] {
    const auto r = g.sum(iteration, v, live);
    p->out.ok = r.ok();
    if (r.ok()) {
      p->out.values = r.value();
    } else {
      p->out.why = r.err().message;
    }
  });
  return p;
}

}  // namespace

TEST_CASE("Gloo sums over three processes, and two survivors agree on a sum one had applied",
          "[net]") {
  sgp::test::store_hub hub(3);
  hub.drop_entries = 1;  // one rendezvous entry is lost on the way: asked for again
  auto g = ranks(hub, 3, 5000ms);
  const std::vector<bool> all{true, true, true};
  auto f0 = sum_async(*g[0], 0, {1.0, 2.0, 1.0}, all);
  auto f1 = sum_async(*g[1], 0, {10.0, 20.0, 2.0}, all);
  auto f2 = sum_async(*g[2], 0, {100.0, 200.0, 1.0}, all);
  const std::vector<double> first{111.0, 222.0, 4.0};
  for (auto* f : {f0.get(), f1.get(), f2.get()}) {
    auto r = f->get();
    REQUIRE(r.ok);
    CHECK(r.values == first);
  }
  // p2 dies. p0 applied iteration 0 and is at 1; p1 (as if its sum of 0
  // had failed) redoes 0: it gets the sum p0 applied, then both sum 1.
  g[2].reset();
  const std::vector<bool> survivors{true, true, false};
  auto a = sum_async(*g[0], 1, {5.0, 5.0, 2.0}, survivors);
  auto b = sum_async(*g[1], 0, {-1.0, -1.0, 2.0}, survivors);
  auto redone = b->get();
  REQUIRE(redone.ok);
  CHECK(redone.values == first);
  auto b1 = sum_async(*g[1], 1, {7.0, 0.5, 2.0}, survivors);
  auto ra = a->get();
  auto rb = b1->get();
  REQUIRE(ra.ok);
  REQUIRE(rb.ok);
  CHECK(ra.values == std::vector<double>{12.0, 5.5, 4.0});
  CHECK(rb.values == ra.values);
  CHECK(g[0]->generation() == 2);
}

TEST_CASE("Gloo sums a model-sized buffer over four processes exactly, in many segments", "[net]") {
  // 1.86 M values over 4 ranks: ring_segment_bytes gives 8 segments per
  // rank's chunk (the MLP's gradient), where a small sum has 2.
  constexpr std::size_t n = 1'863'690;
  sgp::test::store_hub hub(4);
  std::vector<std::unique_ptr<gloo_allreduce>> g;
  for (int i = 0; i < 4; ++i) {
    sgp::net::gloo_setup s;
    s.process = static_cast<std::uint32_t>(i);
    s.names = {"p0", "p1", "p2", "p3"};
    s.host = "127.0.0.1";
    s.timeout = 20000ms;
    g.push_back(std::make_unique<gloo_allreduce>(s, hub.stores[static_cast<std::size_t>(i)]));
  }
  const std::vector<bool> all{true, true, true, true};
  // Rank r holds (r + 1) * (k % 7 + 1): small integers, exact in fp32.
  std::vector<std::unique_ptr<pending_sum>> pending;
  for (int r = 0; r < 4; ++r) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = static_cast<double>((r + 1) * (k % 7 + 1));
    pending.push_back(sum_async(*g[static_cast<std::size_t>(r)], 0, std::move(v), all));
  }
  for (auto& p : pending) {
    const auto r = p->get();
    REQUIRE(r.ok);
    REQUIRE(r.values.size() == n);
    std::size_t wrong = 0;
    std::size_t first_wrong = n;
    for (std::size_t k = 0; k < n; ++k) {
      if (r.values[k] != static_cast<double>(10 * (k % 7 + 1))) {
        if (wrong++ == 0) first_wrong = k;
      }
    }
    INFO("first wrong value at " << first_wrong);
    CHECK(wrong == 0);
  }
}

TEST_CASE("a Gloo rendezvous with a process that never comes fails at the deadline", "[net]") {
  sgp::test::store_hub hub(3);
  auto g = ranks(hub, 3, 800ms);
  const std::vector<bool> all{true, true, true};
  const auto start = std::chrono::steady_clock::now();
  auto f0 = sum_async(*g[0], 0, {1.0}, all);
  auto f1 = sum_async(*g[1], 0, {1.0}, all);
  auto r0 = f0->get();
  auto r1 = f1->get();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  REQUIRE_FALSE(r0.ok);
  REQUIRE_FALSE(r1.ok);
  CHECK(r0.why.find("over processes p0, p1, p2") != std::string::npos);
}
#endif

TEST_CASE("Gloo's ring sends about 8 segments per rank's chunk, within 64 KiB and 1 MiB", "[net]") {
  using sgp::net::ring_segment_bytes;
  // The MLP's 7.45 MB gradient over 4 processes: 233 KB segments, where
  // Gloo's default sent 0.93 MB ones (2 per chunk).
  CHECK(ring_segment_bytes(7'450'000, 4) == 232'812);
  CHECK(ring_segment_bytes(100'000'000, 4) == std::size_t{1} << 20);  // ResNet-50: the cap
  CHECK(ring_segment_bytes(100'000, 4) == std::size_t{64} << 10);     // small sums: the floor
  CHECK(ring_segment_bytes(7'450'000, 0) == 931'250);                 // no ranks: as one
}
