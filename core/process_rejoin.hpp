// A restarted process rejoining a running cluster: the bookkeeping that
// needs no sockets or actors. Each process hears the others' incarnations
// (a process's start time, carried in its settings notice): a new one from
// a process it knew is a restart. A readmitted process's nodes come back
// into the view as new node incarnations (the process's incarnation), so a
// push addressed to their old life stays refused. The survivors welcome it
// with their view, their fastest iteration and the processes' state, as
// notice values (doubles: incarnations stay below 2^53).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/gossip_node.hpp"
#include "core/result.hpp"

namespace sgp::core {

/// What an incarnation heard from a process means.
enum class life_news {
  first,      ///< the first incarnation heard from it
  same,       ///< the one already known
  restarted,  ///< a new one: the process was restarted
  /// One older than the known one: a frame of an earlier life, read after
  /// the new life's (its connection was drained late, e.g. by a process
  /// that was stopped). Incarnations are start times, so a restart's is
  /// larger; the known one stays.
  earlier,
};

/// The incarnations of a cluster's processes, as one process heard them.
class process_lives {
 public:
  explicit process_lives(std::size_t processes) : known_(processes) {}

  /// Records `incarnation` for `process` (it becomes the known one,
  /// unless it is earlier than the known one).
  life_news heard(std::size_t process, std::uint64_t incarnation);

  /// The known incarnation of `process` (0: none heard yet).
  [[nodiscard]] std::uint64_t of(std::size_t process) const {
    return known_.at(process).value_or(0);
  }

 private:
  std::vector<std::optional<std::uint64_t>> known_;
};

/// The node ids [first, last] of `process` (first > last: none).
std::pair<int, int> nodes_of(const std::vector<std::uint32_t>& node_process, std::uint32_t process);

/// `process`'s nodes are live again as incarnation `incarnation`; the
/// view's epoch moves on. Returns how many nodes came back.
int readmit(membership_view& view, const std::vector<std::uint32_t>& node_process,
            std::uint32_t process, std::uint64_t incarnation);

/// What a survivor tells a readmitted process.
struct welcome {
  std::uint64_t incarnation = 0;  ///< the readmitted process's, as readmitted
  std::uint64_t iteration = 0;    ///< the sender's fastest node's
  std::vector<bool> live;         ///< per node
  std::vector<std::uint64_t> node_incarnation;
  std::vector<bool> process_live;
  std::vector<bool> process_done;
  /// The checkpoint pause the sender's nodes are held at (0: none): the
  /// readmitted process pauses there too, so that the cut waits for it
  /// only as long as its nodes take to say so.
  std::uint64_t paused_at = 0;
  /// How long the sender has trained, in milliseconds (the clock of
  /// [[faults]]' at_seconds): the readmitted process's clock goes on from it.
  std::uint64_t run_milliseconds = 0;
  friend bool operator==(const welcome&, const welcome&) = default;
};

/// What a welcome heard after the one taken changes (every survivor sends
/// one; the first heard may come from a survivor behind the others).
struct later_welcome_effect {
  /// Nodes still without mass join no lower than this (0: unchanged).
  std::uint64_t join_at_least = 0;
  /// Its nodes pause here, where that survivor is paused (0: unchanged).
  std::uint64_t pause_at = 0;
};

/// `later` after `taken`: a higher iteration raises the join point; a
/// pause that the taken welcome did not name, not yet released here
/// (`last_released`), not below the taken welcome's iteration (a pause
/// there was released), that this process's nodes are not past (`local`)
/// and before the run's end (`total`) is where its nodes pause.
[[nodiscard]] later_welcome_effect effect_of_later_welcome(const welcome& taken,
                                                           const welcome& later,
                                                           std::uint64_t last_released,
                                                           std::uint64_t local,
                                                           std::uint64_t total);

/// Incarnations and iterations travel as doubles: exact below this.
inline constexpr std::uint64_t max_exact_double = 1ULL << 53;

[[nodiscard]] std::vector<double> encode_welcome(const welcome& w);

/// A welcome for `nodes` nodes and `processes` processes, or why not.
result<welcome> decode_welcome(std::span<const double> values, std::size_t nodes,
                               std::size_t processes);

/// The view a rejoining process starts from: the welcome's liveness and
/// incarnations, every link up, at `epoch`.
membership_view view_of(const welcome& w, std::uint64_t epoch);

}  // namespace sgp::core
