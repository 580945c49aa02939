// The host block pool: freed blocks are reused, the cache is bounded, and
// blocks may be given back from other threads.
#include "core/host_block_pool.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/host_mass_space.hpp"

using sgp::core::host_block_pool;
using sgp::core::mass_vector;

TEST_CASE("host_block_pool hands a freed buffer out again", "[core]") {
  host_block_pool pool(2);
  mass_vector a = pool.take(1000);
  REQUIRE(a.size() == 1000);
  const double* storage = a.data();
  pool.give_back(std::move(a));
  CHECK(pool.cached() == 1);
  mass_vector b = pool.take(1000);
  CHECK(b.data() == storage);
  CHECK(pool.cached() == 0);
}

TEST_CASE("host_block_pool only reuses buffers of the size asked for", "[core]") {
  host_block_pool pool(2);
  pool.give_back(pool.take(10));
  mass_vector b = pool.take(20);
  CHECK(b.size() == 20);
  CHECK(pool.cached() == 1);  // the size-10 buffer is still there
}

TEST_CASE("host_block_pool keeps at most max_cached buffers", "[core]") {
  host_block_pool pool(2);
  std::vector<mass_vector> taken;
  for (int i = 0; i < 5; ++i) taken.push_back(pool.take(64));
  for (auto& v : taken) pool.give_back(std::move(v));
  CHECK(pool.cached() == 2);
  pool.give_back(mass_vector{});  // empty buffers are not kept
  CHECK(pool.cached() == 2);
}

TEST_CASE("host_block_pool takes and gives back from two threads", "[core]") {
  host_block_pool pool(2);
  // Each thread marks the buffer it holds with its own values; another
  // thread holding the same buffer at the same time would change them.
  auto work = [&pool](double mark, bool& intact) {
    for (int i = 0; i < 20000; ++i) {
      mass_vector v = pool.take(128);
      std::fill(v.begin(), v.end(), mark + i);
      for (int spin = 0; spin < 8; ++spin) {
        if (v[0] != mark + i || v[127] != mark + i) intact = false;
      }
      pool.give_back(std::move(v));
    }
  };
  bool first_intact = true;
  bool second_intact = true;
  std::thread t(work, 1e6, std::ref(first_intact));
  work(2e6, second_intact);
  t.join();
  CHECK(first_intact);
  CHECK(second_intact);
  CHECK(pool.cached() <= 2);
}

TEST_CASE("host_block_pool keeps more buffers when allowed to", "[core]") {
  host_block_pool pool(2);
  pool.allow(4);
  pool.allow(3);  // never lowers the bound
  std::vector<mass_vector> taken;
  for (int i = 0; i < 6; ++i) taken.push_back(pool.take(64));
  for (auto& v : taken) pool.give_back(std::move(v));
  CHECK(pool.cached() == 4);
}

TEST_CASE("host mass blocks of one space reuse the storage of dropped blocks", "[core]") {
  sgp::core::host_mass_space<float> space(std::vector<float>(256, 1.0f));
  const double* first = nullptr;
  {
    auto blocks = space.send({}, 0.5, false);  // no edges: nothing sent
    CHECK(blocks.empty());
  }
  const sgp::core::mass_block* none[1] = {nullptr};
  {
    auto blocks = space.send(none, 0.5, false);
    REQUIRE(blocks.size() == 1);
    first = static_cast<const sgp::core::host_mass*>(blocks[0].get())->data();
  }  // the block is dropped: its storage goes back to the space's pool
  CHECK(space.pool().cached() == 1);
  auto again = space.send(none, 0.5, false);
  REQUIRE(again.size() == 1);
  CHECK(static_cast<const sgp::core::host_mass*>(again[0].get())->data() == first);
  // The reused storage holds the new share, not the old one: x was 1, then
  // 0.5 after the first send, so this share is 0.25.
  CHECK(again[0]->to_host()[0] == 0.25);
}
