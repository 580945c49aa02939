// Console commands and scripted faults: one parsed form for both (docs/design.md
// §6). `parse_command` reads a console line; errors say what was expected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

enum class command_kind {
  status,
  topology,
  link_down,
  link_up,
  link_set,
  slow,
  kill,
  revive,
  partition,
  heal,
  checkpoint,
  stop,
  help,
};

/// A parsed command. Fields that a kind does not use keep their defaults.
struct command {
  command_kind kind = command_kind::status;
  int from = -1;  ///< link_*: the link from -> to
  int to = -1;
  bool symmetric = true;                            ///< link_*: also to -> from
  int node = -1;                                    ///< slow, kill, revive
  double factor = 1.0;                              ///< slow: compute takes factor x as long
  std::optional<double> bandwidth_bits_per_second;  ///< link_set
  std::optional<double> latency_seconds;
  std::optional<double> jitter_seconds;
  std::optional<double> loss;
  std::vector<std::vector<int>> groups;  ///< partition
};

/// Parses one console line for a cluster of `nodes` nodes, e.g.
/// "link set 2 5 bw=1Gbit lat=5ms loss=0.01", "slow 3 3x", "partition 0,1 | 2,3".
result<command> parse_command(std::string_view line, int nodes);

/// Checks a command built in code (the typed embedding API, which bypasses
/// the parser) for a cluster of `nodes` nodes: node ids and link ends in
/// 0..nodes-1, a link between two different nodes, slow factor >= 1, loss in
/// [0, 1], partition groups non-empty, disjoint and at least two. The error
/// names the node or value, as parse_command's do.
status check_command(const command& c, int nodes);

/// The console's help text: every command with a one-line description.
std::string command_help();

/// The name of a kind as typed on the console ("link down", "kill", ...).
std::string command_name(command_kind kind);

/// `c` as a console line that parse_command reads back ("link set 2 5
/// bw=1Gbit lat=5ms oneway", "slow 3 3x", "partition 0,1 | 2,3").
std::string command_line(const command& c);

}  // namespace sgp::core
