// The AllReduce actor (ar-sgd): averages every live node's gradient each
// iteration and returns the average after the time a ring AllReduce takes
// over the emulated links: 2(m-1) steps of size/m bytes between ring
// neighbours (m live nodes), each step as slow as its slowest link. The sum
// itself is computed once, here; the links decide when it is delivered.
#pragma once

#include <caf/all.hpp>

#include <map>
#include <vector>

#include "actors/messages.hpp"
#include "net/link_emulator.hpp"

namespace sgp::actors {

struct allreduce_state {
  net::link_emulator links{1, {}, 0};
  std::vector<caf::actor> computes;  ///< by node id (current incarnations)
  std::vector<bool> live;
  std::uint64_t bytes_per_element = 4;
  struct pending {
    std::vector<double> sum;
    std::vector<bool> from;  ///< contributed (or excused: joined later)
    int contributions = 0;
  };
  std::map<std::uint64_t, pending> iterations;
  double ring_seconds = 0.0;  ///< total time charged so far
  static inline const char* name = "sgp.allreduce";
};

/// Seconds one ring AllReduce of `bytes` takes over `links` among `live`.
double ring_allreduce_seconds(const net::link_emulator& links, const std::vector<bool>& live,
                              std::uint64_t bytes);

caf::behavior allreduce_actor(caf::stateful_actor<allreduce_state>* self, net::link_emulator links,
                              std::uint64_t bytes_per_element);

}  // namespace sgp::actors
