// When a group pauses for a checkpoint, and (across processes) whether every
// live process has paused at the one iteration. The pauses are a pure
// function of the settings, so every process of a cluster computes the same
// ones without being told (docs/cluster.md, "Checkpoints"). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sgp::core {

/// The first multiple of `every` after iteration `after` that comes before
/// `total` (the run's last iteration needs no pause: the end follows); 0
/// when there is none or `every` is 0.
[[nodiscard]] std::uint64_t next_checkpoint(std::uint64_t every, std::uint64_t total,
                                            std::uint64_t after);

/// Every live process (`live[p]`) paused at `at` (`held[p] == at`; a
/// shorter `held` counts the rest as not paused); false for `at` 0 or when
/// no process is live.
[[nodiscard]] bool all_held(const std::vector<bool>& live, const std::vector<std::uint64_t>& held,
                            std::uint64_t at);

/// The live processes not paused at `at`, in order.
[[nodiscard]] std::vector<std::size_t> not_held(const std::vector<bool>& live,
                                                const std::vector<std::uint64_t>& held,
                                                std::uint64_t at);

/// The name of a checkpoint's cut, which every process's file of it
/// carries: "pause-<iteration>" for a pause, "end-<stamp>" for the end of
/// a run (whose nodes may stand at different iterations after a stop).
[[nodiscard]] std::string pause_cut_name(std::uint64_t at);

/// One process's file at a resume: the largest iteration of its nodes (-1:
/// not heard) and the name of its cut; how many nodes' states it holds (-1:
/// not said), and the cut of the process's next.ckpt of a later pause,
/// which it takes when that is the cluster's cut (empty: none).
struct resumed_file {
  double at = -1.0;
  std::string cut;
  int nodes = -1;
  std::string pending_cut;
};

/// A resumed cluster's cut: the cut of the latest file (the largest
/// iteration; the first such process on a tie) and that iteration (0: no
/// file holds a node's state). A process whose file is of another cut was
/// dead at it.
struct cut_choice {
  std::uint64_t iteration = 0;
  std::string cut;
};
[[nodiscard]] cut_choice choose_cut(const std::vector<resumed_file>& files);

/// ar-sgd at a resume (`chosen`, of `files`): the processes whose nodes
/// hold no state at the cut, which stay out of the resumed run (ar-sgd
/// starts no node without one, and lets none rejoin): a file of another
/// cut (the process was dead at it) unless its next.ckpt is of the chosen
/// one, or a file of the cut with no node in it (its nodes were out
/// already). Every process computes the same from the same ready notices.
[[nodiscard]] std::vector<bool> out_at_resume(const std::vector<resumed_file>& files,
                                              const cut_choice& chosen);

}  // namespace sgp::core
