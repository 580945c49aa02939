// The start barrier: a process's nodes start when every live process is
// ready, or when its wait ran past its bound.
#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

#include "core/start_barrier.hpp"

using sgp::core::process_list;
using sgp::core::start_barrier;

TEST_CASE("the start barrier opens when this and every other process is ready", "[core]") {
  start_barrier b(3, 1);
  const std::vector<bool> live(3, true);
  CHECK_FALSE(b.open(live));
  b.heard(0);
  b.heard(2);
  // Every peer is ready, but this process is not yet.
  CHECK_FALSE(b.open(live));
  CHECK(b.missing(live) == std::vector<std::size_t>{1});
  b.ready_here(10.0);
  CHECK(b.open(live));
  CHECK(b.missing(live).empty());
}

TEST_CASE("the start barrier waits for live processes only", "[core]") {
  start_barrier b(4, 0);
  b.ready_here(0.0);
  b.heard(1);
  std::vector<bool> live(4, true);
  CHECK(b.missing(live) == std::vector<std::size_t>{2, 3});
  CHECK_FALSE(b.open(live));
  live[3] = false;  // declared dead while the others waited
  CHECK(b.missing(live) == std::vector<std::size_t>{2});
  CHECK_FALSE(b.open(live));
  live[2] = false;
  CHECK(b.open(live));
  // A shorter view counts the rest as live.
  CHECK(b.missing({true, true}) == std::vector<std::size_t>{2, 3});
}

TEST_CASE("the start barrier ignores a process out of range and keeps its first start", "[core]") {
  start_barrier b(2, 0);
  b.heard(7);
  CHECK_FALSE(b.is_ready(1));
  CHECK_FALSE(b.expired(100.0, 5.0));  // not ready here: no wait to expire
  b.ready_here(10.0);
  b.ready_here(20.0);  // said again: the wait still began at 10
  CHECK_FALSE(b.expired(15.0, 5.0));
  CHECK(b.expired(15.5, 5.0));
}

TEST_CASE("a list of processes names them", "[core]") {
  CHECK(process_list({0, 2, 5}, {"p0", "p1", "p2"}) == "p0, p2, process 5");
  CHECK(process_list({}, {"p0"}).empty());
}
