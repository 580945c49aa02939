// Graph schedules over the ordered live set, with link repair.
#include "core/graph_schedule.hpp"

#include <algorithm>
#include <array>
#include <numeric>

#include "core/assert.hpp"

namespace sgp::core {
namespace {

bool is_phone_book(topology_kind kind) {
  return kind == topology_kind::dynamic_directed_exponential ||
         kind == topology_kind::npeer_dynamic_directed_exponential ||
         kind == topology_kind::dynamic_directed_linear ||
         kind == topology_kind::dynamic_bipartite_linear;
}

/// The reference's phone book over m >= 2 positions, as forward offsets
/// (mod m), in the reference's order. Every rank has the same one.
std::vector<std::size_t> phone_book(topology_kind kind, std::size_t m, std::size_t peers) {
  std::vector<std::size_t> book;
  const auto back = [m](std::size_t d) { return (m - d % m) % m; };
  switch (kind) {
    case topology_kind::dynamic_directed_exponential:
      // i = 0 .. floor(log2(m - 1)), exactly (the reference uses a float log).
      for (std::size_t p = 1; p <= m - 1; p *= 2) {
        book.push_back(p % m);
        book.push_back(back(p));
      }
      break;
    case topology_kind::npeer_dynamic_directed_exponential: {
      const std::size_t base = peers + 1;
      for (std::size_t p = 1; p <= m - 1; p *= base) {
        for (std::size_t j = 1; j <= peers; ++j) book.push_back((j * p) % m);
      }
      break;
    }
    default:  // directed and bipartite linear
      for (std::size_t i = 1; i < m; i += 2) {
        book.push_back(i);
        book.push_back(back(i));
      }
  }
  return book;
}

/// Smallest L with 2^L >= m (m >= 2).
std::size_t ceil_log2(std::size_t m) {
  std::size_t l = 0;
  while ((std::size_t{1} << l) < m) ++l;
  return l;
}

/// Group A holds even positions, B odd ones (A gets the odd node out).
std::size_t group_a_size(std::size_t m) {
  return (m + 1) / 2;
}
std::size_t group_b_size(std::size_t m) {
  return m / 2;
}

/// Bipartite shifts: {0, 1, 2, 4, ...} (< |A|) or {0, 1, ..., |A|-1}.
std::vector<std::size_t> bipartite_shifts(topology_kind kind, std::size_t m) {
  const std::size_t a = group_a_size(m);
  std::vector<std::size_t> shifts{0};
  if (kind == topology_kind::bipartite_exponential) {
    for (std::size_t s = 1; s < a; s *= 2) shifts.push_back(s);
  } else {
    for (std::size_t s = 1; s < a; ++s) shifts.push_back(s);
  }
  return shifts;
}

bool is_bipartite(topology_kind kind) {
  return kind == topology_kind::bipartite_exponential || kind == topology_kind::bipartite_linear;
}

/// The scheduled target positions of position r at iteration k (m >= 2).
/// For bipartite kinds the targets are indices in the other group.
std::vector<std::size_t> scheduled_targets(const graph_schedule& s, std::size_t m, std::uint64_t k,
                                           std::size_t r) {
  std::vector<std::size_t> targets;
  if (is_phone_book(s.kind)) {
    const std::size_t c = std::max<std::size_t>(s.peers_per_iteration, 1);
    const auto book = phone_book(s.kind, m, c);
    for (std::size_t j = 0; j < c; ++j) {
      const auto index = static_cast<std::size_t>((k % book.size()) * (c % book.size()) + j);
      targets.push_back((r + book[index % book.size()]) % m);
    }
    return targets;
  }
  switch (s.kind) {
    case topology_kind::exponential: {
      const std::size_t l = ceil_log2(m);
      targets.push_back((r + (std::size_t{1} << (k % l))) % m);
      break;
    }
    case topology_kind::npeer_exponential: {
      const std::size_t l = ceil_log2(m);
      const std::size_t c = std::clamp<std::size_t>(s.peers_per_iteration, 1, l);
      for (std::size_t j = 0; j < c; ++j) {
        const std::size_t power = static_cast<std::size_t>((k * c + j) % l);
        targets.push_back((r + (std::size_t{1} << power)) % m);
      }
      break;
    }
    case topology_kind::linear:
      targets.push_back((r + 1 + static_cast<std::size_t>(k % (m - 1))) % m);
      break;
    case topology_kind::ring:
      targets.push_back((r + 1) % m);
      break;
    case topology_kind::complete:
      for (std::size_t j = 1; j < m; ++j) targets.push_back((r + j) % m);
      break;
    case topology_kind::bipartite_exponential:
    case topology_kind::bipartite_linear: {
      const auto shifts = bipartite_shifts(s.kind, m);
      const std::size_t shift = shifts[k % shifts.size()];
      const std::size_t q = r / 2;
      if (r % 2 == 0) {
        const std::size_t b = group_b_size(m);
        targets.push_back((q + shift) % b);
      } else {
        const std::size_t a = group_a_size(m);
        targets.push_back((q + a - shift % a) % a);
      }
      break;
    }
    default:
      break;
  }
  return targets;
}

/// Out-neighbour positions of position r, repaired against `links`.
std::vector<std::size_t> out_positions(const graph_schedule& s, const std::vector<std::size_t>& ids,
                                       const link_mask& links, std::uint64_t k, std::size_t r) {
  const std::size_t m = ids.size();
  std::vector<std::size_t> chosen;
  if (m < 2) return chosen;
  const bool bipartite = is_bipartite(s.kind);
  // Candidates of a slot: the target, then the ones after it in ring order
  // (over all positions, or over the other group for bipartite schedules).
  const std::size_t other_group = (r % 2 == 0) ? 1 : 0;
  const std::size_t span = bipartite ? (other_group == 1 ? group_b_size(m) : group_a_size(m)) : m;
  for (const std::size_t target : scheduled_targets(s, m, k, r)) {
    for (std::size_t j = 0; j < span; ++j) {
      const std::size_t idx = (target + j) % span;
      const std::size_t pos = bipartite ? 2 * idx + other_group : idx;
      if (pos == r) continue;
      if (std::find(chosen.begin(), chosen.end(), pos) != chosen.end()) continue;
      if (!links.up(ids[r], ids[pos])) continue;
      chosen.push_back(pos);
      break;
    }
  }
  return chosen;
}

std::vector<std::size_t> live_ids(const std::vector<bool>& live, const link_mask& links) {
  SGP_ASSERT(links.size() == live.size());
  std::vector<std::size_t> ids;
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (live[i]) ids.push_back(i);
  }
  return ids;
}

}  // namespace

std::string_view topology_name(topology_kind kind) {
  for (const auto& [k, name] : topology_table) {
    if (k == kind) return name;
  }
  SGP_ASSERT(false);
  return {};
}

std::vector<std::string> topology_names() {
  std::vector<std::string> names;
  for (const auto& entry : topology_table) names.emplace_back(entry.second);
  return names;
}

std::vector<topology_kind> topology_kinds() {
  std::vector<topology_kind> kinds;
  for (const auto& entry : topology_table) kinds.push_back(entry.first);
  return kinds;
}

result<topology_kind> parse_topology(const std::string& name) {
  for (const auto& [kind, kind_name] : topology_table) {
    if (name == kind_name) return kind;
  }
  std::string valid;
  for (const auto& entry : topology_table) {
    if (!valid.empty()) valid += ", ";
    valid += entry.second;
  }
  return make_error("unknown topology '" + name + "' (valid: " + valid + ")");
}

std::vector<bool> all_live(std::size_t n) {
  return std::vector<bool>(n, true);
}

std::vector<std::size_t> graph_schedule::out_peers(const std::vector<bool>& live,
                                                   const link_mask& links, std::uint64_t iteration,
                                                   std::size_t node) const {
  SGP_ASSERT(node < live.size());
  std::vector<std::size_t> peers;
  if (!live[node]) return peers;
  const auto ids = live_ids(live, links);
  const auto r =
      static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), node) - ids.begin());
  for (const std::size_t pos : out_positions(*this, ids, links, iteration, r)) {
    peers.push_back(ids[pos]);
  }
  return peers;
}

std::vector<std::size_t> graph_schedule::in_peers(const std::vector<bool>& live,
                                                  const link_mask& links, std::uint64_t iteration,
                                                  std::size_t node) const {
  SGP_ASSERT(node < live.size());
  std::vector<std::size_t> peers;
  for (const edge& e : edges(live, links, iteration)) {
    if (e.to == node) peers.push_back(e.from);
  }
  return peers;
}

std::vector<edge> graph_schedule::edges(const std::vector<bool>& live, const link_mask& links,
                                        std::uint64_t iteration) const {
  const auto ids = live_ids(live, links);
  std::vector<edge> result_edges;
  for (std::size_t r = 0; r < ids.size(); ++r) {
    for (const std::size_t pos : out_positions(*this, ids, links, iteration, r)) {
      result_edges.push_back(edge{ids[r], ids[pos]});
    }
  }
  return result_edges;
}

std::size_t graph_schedule::period(std::size_t live_count) const {
  const std::size_t m = live_count;
  if (m < 2) return 1;
  switch (kind) {
    case topology_kind::exponential:
      return ceil_log2(m);
    case topology_kind::npeer_exponential: {
      const std::size_t l = ceil_log2(m);
      const std::size_t c = std::clamp<std::size_t>(peers_per_iteration, 1, l);
      return l / std::gcd(l, c);
    }
    case topology_kind::linear:
      return m - 1;
    case topology_kind::ring:
    case topology_kind::complete:
      return 1;
    case topology_kind::bipartite_exponential:
    case topology_kind::bipartite_linear:
      return bipartite_shifts(kind, m).size();
    case topology_kind::dynamic_directed_exponential:
    case topology_kind::npeer_dynamic_directed_exponential:
    case topology_kind::dynamic_directed_linear:
    case topology_kind::dynamic_bipartite_linear: {
      const std::size_t c = std::max<std::size_t>(peers_per_iteration, 1);
      const std::size_t len = phone_book(kind, m, c).size();
      return len / std::gcd(len, c);
    }
  }
  return 1;
}

}  // namespace sgp::core
