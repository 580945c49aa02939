// Where a process stands in a collective over the live processes (Gloo's
// and NCCL's sums across processes build one per live set): its rank is
// its index among the live ones, and the set written as '0'/'1' names the
// set's rendezvous keys (a rebuild over survivors never meets an older
// set's keys: a dead process does not come back into ar-sgd).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sgp::core {

struct live_ranks {
  int rank = 0;         ///< of the process among the live ones
  int size = 0;         ///< live processes
  std::string mask;     ///< "110": processes 0 and 1 live, 2 not
  bool member = false;  ///< the process itself is live
};

[[nodiscard]] inline live_ranks live_ranks_of(const std::vector<bool>& live, std::size_t process) {
  live_ranks out;
  for (std::size_t p = 0; p < live.size(); ++p) {
    if (live[p] && p < process) ++out.rank;
    if (live[p]) ++out.size;
    out.mask += live[p] ? '1' : '0';
  }
  out.member = process < live.size() && live[process];
  return out;
}

}  // namespace sgp::core
