// Implementation of the rejoin bookkeeping (see process_rejoin.hpp).
#include "core/process_rejoin.hpp"

#include <cmath>
#include <string>

#include "core/assert.hpp"

namespace sgp::core {

life_news process_lives::heard(std::size_t process, std::uint64_t incarnation) {
  auto& known = known_.at(process);
  if (!known) {
    known = incarnation;
    return life_news::first;
  }
  if (*known == incarnation) return life_news::same;
  if (incarnation < *known) return life_news::earlier;
  known = incarnation;
  return life_news::restarted;
}

std::pair<int, int> nodes_of(const std::vector<std::uint32_t>& node_process,
                             std::uint32_t process) {
  int first = -1;
  int last = -2;
  for (std::size_t i = 0; i < node_process.size(); ++i) {
    if (node_process[i] != process) continue;
    if (first < 0) first = static_cast<int>(i);
    last = static_cast<int>(i);
  }
  return {first, last};
}

int readmit(membership_view& view, const std::vector<std::uint32_t>& node_process,
            std::uint32_t process, std::uint64_t incarnation) {
  SGP_ASSERT(node_process.size() == view.live.size());
  int nodes = 0;
  for (std::size_t i = 0; i < node_process.size(); ++i) {
    if (node_process[i] != process) continue;
    view.live[i] = true;
    view.incarnation[i] = incarnation;
    ++nodes;
  }
  ++view.epoch;
  return nodes;
}

std::vector<double> encode_welcome(const welcome& w) {
  SGP_ASSERT(w.live.size() == w.node_incarnation.size());
  SGP_ASSERT(w.process_live.size() == w.process_done.size());
  std::vector<double> out;
  out.reserve(6 + 2 * w.live.size() + 2 * w.process_live.size());
  const auto exact = [&](std::uint64_t v) {
    SGP_ASSERT(v < max_exact_double);
    out.push_back(static_cast<double>(v));
  };
  exact(w.incarnation);
  exact(w.iteration);
  exact(w.live.size());
  exact(w.process_live.size());
  for (std::size_t i = 0; i < w.live.size(); ++i) {
    out.push_back(w.live[i] ? 1.0 : 0.0);
    exact(w.node_incarnation[i]);
  }
  for (std::size_t p = 0; p < w.process_live.size(); ++p) {
    out.push_back(w.process_live[p] ? 1.0 : 0.0);
    out.push_back(w.process_done[p] ? 1.0 : 0.0);
  }
  exact(w.paused_at);
  exact(w.run_milliseconds);
  return out;
}

namespace {

/// A count or incarnation: a non-negative integer below 2^53.
bool whole(double v) {
  return std::isfinite(v) && v >= 0.0 && v < static_cast<double>(max_exact_double) &&
         v == std::floor(v);
}

}  // namespace

result<welcome> decode_welcome(std::span<const double> values, std::size_t nodes,
                               std::size_t processes) {
  const std::size_t size = 6 + 2 * nodes + 2 * processes;
  if (values.size() != size) {
    return make_error("a welcome of " + std::to_string(values.size()) + " values, expected " +
                      std::to_string(size));
  }
  for (const double v : values) {
    if (!whole(v)) return make_error("a welcome with a value that is not a whole number");
  }
  if (static_cast<std::size_t>(values[2]) != nodes ||
      static_cast<std::size_t>(values[3]) != processes) {
    return make_error("a welcome for another cluster's size");
  }
  welcome w;
  w.incarnation = static_cast<std::uint64_t>(values[0]);
  w.iteration = static_cast<std::uint64_t>(values[1]);
  std::size_t at = 4;
  for (std::size_t i = 0; i < nodes; ++i, at += 2) {
    w.live.push_back(values[at] != 0.0);
    w.node_incarnation.push_back(static_cast<std::uint64_t>(values[at + 1]));
  }
  for (std::size_t p = 0; p < processes; ++p, at += 2) {
    w.process_live.push_back(values[at] != 0.0);
    w.process_done.push_back(values[at + 1] != 0.0);
  }
  w.paused_at = static_cast<std::uint64_t>(values[at]);
  w.run_milliseconds = static_cast<std::uint64_t>(values[at + 1]);
  return w;
}

membership_view view_of(const welcome& w, std::uint64_t epoch) {
  auto view = membership_view::all_up(w.live.size());
  view.live = w.live;
  view.incarnation = w.node_incarnation;
  view.epoch = epoch;
  return view;
}

later_welcome_effect effect_of_later_welcome(const welcome& taken, const welcome& later,
                                             std::uint64_t last_released, std::uint64_t local,
                                             std::uint64_t total) {
  later_welcome_effect out;
  if (later.iteration > taken.iteration) out.join_at_least = later.iteration;
  const auto p = later.paused_at;
  // Not below where the taken welcome stood: a pause there was released.
  if (p > 0 && p <= later.iteration && p < total && p != taken.paused_at && p > last_released &&
      local <= p && p >= taken.iteration) {
    out.pause_at = p;
  }
  return out;
}

}  // namespace sgp::core
