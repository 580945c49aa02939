// Pinning host memory (core/host_pinning.hpp) as the block pool and an
// edge's sender use it: every buffer they allocate is pinned once, reused
// buffers are not pinned again, and a pin is undone before its memory is
// freed. A recording stand-in for cudaHostRegister checks the order.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <utility>

#include "core/edge_delta.hpp"
#include "core/host_block_pool.hpp"
#include "core/host_mass_space.hpp"

namespace {

using sgp::core::host_pinning;

/// Pins and unpins by address; counts what it did.
struct recorder {
  std::map<void*, std::size_t> pinned;
  int pins = 0;
  int unpins = 0;
  int unpinned_unknown = 0;
  bool refuse = false;

  std::shared_ptr<const host_pinning> pinning() {
    auto p = std::make_shared<host_pinning>();
    p->pin = [this](void* at, std::size_t bytes) {
      if (refuse) return false;
      ++pins;
      pinned[at] = bytes;
      return true;
    };
    p->unpin = [this](void* at) {
      ++unpins;
      if (pinned.erase(at) == 0) ++unpinned_unknown;
    };
    return p;
  }
};

}  // namespace

TEST_CASE("a pinning block pool pins each buffer once and unpins it when it is freed", "[core]") {
  recorder r;
  {
    auto pool = std::make_shared<sgp::core::host_block_pool>(1, r.pinning());
    const void* first = nullptr;
    {
      sgp::core::host_mass a(pool, 1000);
      first = a.data();
      CHECK(r.pins == 1);
      CHECK(r.pinned.count(a.data()) == 1);
      CHECK(r.pinned[a.data()] == 1000 * sizeof(double));
    }
    CHECK(r.unpins == 0);  // cached, still pinned
    {
      sgp::core::host_mass again(pool, 1000);
      CHECK(again.data() == first);
      CHECK(r.pins == 1);  // reused: not pinned again
      sgp::core::host_mass second(pool, 1000);
      CHECK(r.pins == 2);
    }
    // One of the two went back to the cache, the other was freed: unpinned.
    CHECK(r.unpins == 1);
    CHECK(r.pinned.size() == 1);
    CHECK(pool->cached() == 1);
  }
  // The pool's end unpins the cached one.
  CHECK(r.unpins == 2);
  CHECK(r.pinned.empty());
  CHECK(r.unpinned_unknown == 0);
}

TEST_CASE("a buffer that could not be pinned is used as it is and never unpinned", "[core]") {
  recorder r;
  r.refuse = true;
  {
    auto pool = std::make_shared<sgp::core::host_block_pool>(0, r.pinning());
    sgp::core::host_mass a(pool, 10);
    a.data()[9] = 1.5;
    CHECK(a.data()[9] == 1.5);
  }
  CHECK(r.unpins == 0);
  sgp::core::pinned_range none;
  CHECK_FALSE(none.pinned());
}

TEST_CASE("an edge's sender keeps T pinned for its life, also when moved", "[core]") {
  recorder r;
  {
    sgp::core::delta_sender s(64, sgp::core::delta_precision::f32, 4, r.pinning());
    CHECK(r.pins == 1);
    CHECK(r.pinned.count(const_cast<double*>(s.committed().data())) == 1);
    sgp::core::delta_sender moved(std::move(s));
    CHECK(r.unpins == 0);
    CHECK(r.pinned.count(const_cast<double*>(moved.committed().data())) == 1);
    const std::vector<double> total(64, 2.0);
    moved.set_committed(total, 1.0);
    const auto p = moved.push();
    CHECK(p.count == 64);
  }
  CHECK(r.unpins == 1);
  CHECK(r.pinned.empty());
  CHECK(r.unpinned_unknown == 0);
}
