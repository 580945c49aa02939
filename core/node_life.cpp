// Implementation of node-level kill and revive's bookkeeping (see node_life.hpp).
#include "core/node_life.hpp"

#include <cmath>

#include "core/assert.hpp"
#include "core/process_rejoin.hpp"

namespace sgp::core {

std::vector<double> encode_node_change(const node_change& c) {
  SGP_ASSERT(c.incarnation < max_exact_double && c.iteration < max_exact_double);
  return {static_cast<double>(c.kind), static_cast<double>(c.node),
          static_cast<double>(c.incarnation), static_cast<double>(c.iteration)};
}

namespace {

/// `values` are `count` whole numbers, each below 2^53, or why not.
status whole_numbers(std::span<const double> values, std::size_t count, const char* what) {
  if (values.size() != count) {
    return make_error(std::string(what) + " of " + std::to_string(values.size()) +
                      " values, expected " + std::to_string(count));
  }
  for (const double v : values) {
    if (!std::isfinite(v) || v < 0.0 || v >= static_cast<double>(max_exact_double) ||
        v != std::floor(v))
      return make_error(std::string(what) + " with a value that is not a whole number");
  }
  return {};
}

}  // namespace

result<node_change> decode_node_change(std::span<const double> values, std::size_t nodes) {
  if (auto st = whole_numbers(values, 4, "a node notice"); !st.ok()) return st.err();
  if (values[0] != 1.0 && values[0] != 2.0) return make_error("a node notice of an unknown kind");
  if (values[1] >= static_cast<double>(nodes)) {
    return make_error("a node notice for node " +
                      std::to_string(static_cast<std::size_t>(values[1])) + " of " +
                      std::to_string(nodes));
  }
  node_change c;
  c.kind = values[0] == 1.0 ? node_change::what::kill : node_change::what::revive;
  c.node = static_cast<std::size_t>(values[1]);
  c.incarnation = static_cast<std::uint64_t>(values[2]);
  c.iteration = static_cast<std::uint64_t>(values[3]);
  return c;
}

std::vector<double> encode_resend(const resend_request& r) {
  return {static_cast<double>(r.from), static_cast<double>(r.to)};
}

result<resend_request> decode_resend(std::span<const double> values, std::size_t nodes) {
  if (auto st = whole_numbers(values, 2, "a resend notice"); !st.ok()) return st.err();
  if (values[0] >= static_cast<double>(nodes) || values[1] >= static_cast<double>(nodes)) {
    return make_error("a resend notice between nodes " +
                      std::to_string(static_cast<std::size_t>(values[0])) + " and " +
                      std::to_string(static_cast<std::size_t>(values[1])) + " of " +
                      std::to_string(nodes));
  }
  return resend_request{static_cast<std::size_t>(values[0]), static_cast<std::size_t>(values[1])};
}

bool apply_node_change(membership_view& view, const node_change& c) {
  SGP_ASSERT(c.node < view.live.size());
  if (c.kind == node_change::what::kill) {
    if (!view.live[c.node] || view.incarnation[c.node] != c.incarnation) return false;
    view.live[c.node] = false;
  } else {
    if (c.incarnation <= view.incarnation[c.node]) return false;
    view.live[c.node] = true;
    view.incarnation[c.node] = c.incarnation;
  }
  ++view.epoch;
  return true;
}

result<node_change> plan_revive(const membership_view& view, std::size_t node, std::uint64_t at,
                                std::uint64_t total, std::uint64_t margin) {
  SGP_ASSERT(node < view.live.size());
  if (view.live[node]) return make_error("node " + std::to_string(node) + " is already running");
  if (at + margin >= total) {
    return make_error("node " + std::to_string(node) +
                      " is not revived: the run is too close to its end (iteration " +
                      std::to_string(at) + " of " + std::to_string(total) +
                      "; a revived node needs a push to start, and nodes that are done push no "
                      "more)");
  }
  if (view.incarnation[node] + 1 >= max_exact_double) {
    return make_error("node " + std::to_string(node) + ": no incarnation left to revive it as");
  }
  return node_change{node_change::what::revive, node, view.incarnation[node] + 1, at};
}

}  // namespace sgp::core
