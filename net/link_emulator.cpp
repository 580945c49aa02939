// Implementation of the link emulator (see link_emulator.hpp).
#include "net/link_emulator.hpp"

#include <algorithm>
#include <cmath>

namespace sgp::net {

link_emulator::link_emulator(int nodes, link_properties defaults, std::uint64_t seed)
    : nodes_(nodes), defaults_(defaults), rng_(seed) {}

const link_properties& link_emulator::properties(int from, int to) const {
  const auto it = overrides_.find({from, to});
  return it == overrides_.end() ? defaults_ : it->second;
}

void link_emulator::set_defaults(const link_properties& p) {
  defaults_ = p;
}

void link_emulator::set_link(int from, int to, const link_properties& p) {
  overrides_[{from, to}] = p;
}

void link_emulator::set_up(int from, int to, bool up) {
  if (up) {
    down_.erase({from, to});
  } else {
    down_.insert({from, to});
  }
}

void link_emulator::partition(const std::vector<std::vector<int>>& groups) {
  // Nodes in no group (-1) keep their links to everyone.
  group_.assign(static_cast<std::size_t>(nodes_), -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (const int node : groups[g]) {
      if (node >= 0 && node < nodes_) group_[static_cast<std::size_t>(node)] = static_cast<int>(g);
    }
  }
}

void link_emulator::heal() {
  group_.clear();
}

bool link_emulator::up(int from, int to) const {
  if (down_.count({from, to}) > 0) return false;
  if (group_.empty()) return true;
  const int a = group_[static_cast<std::size_t>(from)];
  const int b = group_[static_cast<std::size_t>(to)];
  return a < 0 || b < 0 || a == b;
}

double link_emulator::line_bytes(std::size_t bytes, double overhead) {
  const double payload = static_cast<double>(bytes);
  if (overhead <= 0.0) return payload;
  return payload + std::ceil(payload / segment_payload) * overhead;
}

double link_emulator::wire_seconds(const link_properties& p, std::size_t bytes) const {
  return p.bandwidth_bits_per_second > 0
             ? 8.0 * line_bytes(bytes, frame_overhead_) / p.bandwidth_bits_per_second
             : 0.0;
}

double link_emulator::transfer_seconds(int from, int to, std::size_t bytes) const {
  const auto& p = properties(from, to);
  return wire_seconds(p, bytes) + p.latency_seconds;
}

delivery link_emulator::plan(int from, int to, std::size_t bytes, double now) {
  delivery d;
  if (!up(from, to)) {
    d.dropped = true;
    d.link_down = true;
    return d;
  }
  const auto& p = properties(from, to);
  const double wire = wire_seconds(p, bytes);
  double& busy = busy_until_[{from, to}];
  double start = std::max(now, busy);
  if (shared_egress_) {
    double& egress = egress_busy_until_[from];
    start = std::max(start, egress);
    egress = start + wire;
  }
  busy = start + wire;
  d.start = start;
  // Draw both numbers for every message, so that the random stream does not
  // depend on which links have jitter or loss.
  const double jitter = rng_.uniform() * p.jitter_seconds;
  const bool lost = rng_.uniform() < p.loss;
  if (lost) {
    d.dropped = true;  // the bytes still used the link
    return d;
  }
  d.deliver_at = busy + p.latency_seconds + jitter;
  return d;
}

}  // namespace sgp::net
