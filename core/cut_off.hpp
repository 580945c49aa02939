// A process cut off from the cluster for longer than
// cluster.process_timeout (a link outage, a process stopped and resumed):
// the others declared it dead and accounted its nodes' mass as gone, so it
// cannot come back as it is. Every process tells each process it holds
// dead, about once a second, that it does (a "cut off" notice: its
// incarnation, the receiver's as it knows it, its live processes). A
// process that hears it judges here whether it is the one to restart: a
// restart is a new incarnation, which the others readmit with zero mass
// (docs/cluster.md, "Rejoining"). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

struct cut_off_notice {
  std::uint64_t sender = 0;    ///< the sender's incarnation
  std::uint64_t receiver = 0;  ///< the receiver's, as the sender knows it
  std::vector<bool> live;      ///< the processes live in the sender's view
};

/// The notice's values: [sender, receiver, one 0/1 per process].
[[nodiscard]] std::vector<double> encode_cut_off(const cut_off_notice& n);
/// Refuses a notice of another cluster size or with values that are not
/// incarnations and 0/1 flags.
[[nodiscard]] result<cut_off_notice> decode_cut_off(const std::vector<double>& values,
                                                    std::size_t processes);

enum class cut_off_verdict {
  stale,    ///< for an earlier life of this process (or none it knows): ignored
  ignored,  ///< the sender holds this process live after all
  restart,  ///< this process restarts to rejoin
  stay,     ///< the sender's side restarts (a partition: the larger side stays)
};

/// What process `me` (incarnation `mine`, `my_live` the processes live in
/// its view, itself included) does with a cut-off notice from `peer`:
/// - addressed to another incarnation: stale;
/// - `peer` live here: the cluster moved on without this process (it was
///   stopped, or its link was down while the others' were not): restart;
/// - both dead to each other (a partition that healed): the side with fewer
///   live processes restarts, on a tie the one without the lowest index.
///   Both sides judge the same two sets, so exactly one side restarts.
[[nodiscard]] cut_off_verdict judge_cut_off(const cut_off_notice& n, std::uint32_t me,
                                            std::uint64_t mine, const std::vector<bool>& my_live,
                                            std::uint32_t peer);

}  // namespace sgp::core
