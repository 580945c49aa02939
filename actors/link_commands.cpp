// Link commands (see link_commands.hpp).
#include "actors/link_commands.hpp"

#include <cstdio>

namespace sgp::actors {

void apply_link_update(net::link_emulator& links, const link_update& u) {
  switch (u.kind) {
    case link_update::what::defaults:
      links.set_defaults(u.properties);
      break;
    case link_update::what::link:
      links.set_link(u.from, u.to, u.properties);
      break;
    case link_update::what::up:
      links.set_up(u.from, u.to, true);
      break;
    case link_update::what::down:
      links.set_up(u.from, u.to, false);
      break;
    case link_update::what::partition:
      links.partition(u.groups);
      break;
    case link_update::what::heal:
      links.heal();
      break;
  }
}

std::vector<link_update> link_updates_of(const core::command& c, const net::link_emulator& links) {
  std::vector<link_update> out;
  auto one = [&](link_update::what kind, int from, int to) {
    link_update u;
    u.kind = kind;
    u.from = from;
    u.to = to;
    if (kind == link_update::what::link) {
      u.properties = links.properties(from, to);
      if (c.bandwidth_bits_per_second)
        u.properties.bandwidth_bits_per_second = *c.bandwidth_bits_per_second;
      if (c.latency_seconds) u.properties.latency_seconds = *c.latency_seconds;
      if (c.jitter_seconds) u.properties.jitter_seconds = *c.jitter_seconds;
      if (c.loss) u.properties.loss = *c.loss;
    }
    out.push_back(std::move(u));
  };
  auto both = [&](link_update::what kind) {
    one(kind, c.from, c.to);
    if (c.symmetric) one(kind, c.to, c.from);
  };
  switch (c.kind) {
    case core::command_kind::link_down:
      both(link_update::what::down);
      break;
    case core::command_kind::link_up:
      both(link_update::what::up);
      break;
    case core::command_kind::link_set:
      both(link_update::what::link);
      break;
    case core::command_kind::partition:
      one(link_update::what::partition, -1, -1);
      out.back().groups = c.groups;
      break;
    case core::command_kind::heal:
      one(link_update::what::heal, -1, -1);
      break;
    default:
      break;
  }
  return out;
}

void mask_from_links(core::link_mask& mask, const net::link_emulator& links) {
  for (std::size_t a = 0; a < mask.size(); ++a) {
    for (std::size_t b = 0; b < mask.size(); ++b) {
      if (a != b) mask.set(a, b, links.up(static_cast<int>(a), static_cast<int>(b)));
    }
  }
}

std::string link_state_text(const core::command& c) {
  switch (c.kind) {
    case core::command_kind::partition:
      return "partitioned into " + std::to_string(c.groups.size()) + " groups";
    case core::command_kind::heal:
      return "partition healed";
    default:
      return "link " + std::to_string(c.from) + (c.symmetric ? " <-> " : " -> ") +
             std::to_string(c.to) + (c.kind == core::command_kind::link_up ? " up" : " down");
  }
}

std::string link_set_text(const core::command& c, const net::link_emulator& links) {
  const auto& p = links.properties(c.from, c.to);
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "link %d %s %d: %.3g Gbit/s, latency %.3g ms, jitter %.3g ms, loss %.3g", c.from,
                c.symmetric ? "<->" : "->", c.to, p.bandwidth_bits_per_second / 1e9,
                p.latency_seconds * 1e3, p.jitter_seconds * 1e3, p.loss);
  return buf;
}

std::string slow_text(const core::command& c) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "node %d computes %.3gx slower", c.node, c.factor);
  return buf;
}

}  // namespace sgp::actors
