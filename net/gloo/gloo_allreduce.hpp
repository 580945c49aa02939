// Sums a buffer of doubles over a cluster's live processes with Gloo (TCP
// transport, CPU): ar-sgd across processes. The sum travels in fp32 (each
// process's partial sum rounded to fp32, the ring adding in fp32; every
// member gets the same bits). With one live process there is no context
// and the sum stays as it is, in f64. No CAF here; one thread
// calls it (the call blocks for the whole collective, never longer than the deadline).
//
// The context is built over the live processes (rank = index among them)
// with a rendezvous through a net::rendezvous_store, under a key prefix
// per live set ("ar/110/": processes 0 and 1), so a rebuild over the
// survivors never meets an older generation's keys (a dead process never
// comes back). A failure (a peer died, the deadline passed) drops the
// context and is returned; the caller calls again once its view of the
// live processes changed, which rebuilds.
//
// After every build the members first agree on where they are: a process
// whose previous sum completed before a peer died may be one iteration
// ahead of one whose sum failed. The one ahead then broadcasts the result
// it applied, which the one behind takes as its own: every survivor
// applies the same sums in the same order.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "net/rendezvous_store.hpp"

namespace gloo {
class Context;
namespace transport {
class Device;
}
}  // namespace gloo

namespace sgp::net {

struct gloo_setup {
  std::uint32_t process = 0;
  std::vector<std::string> names;            ///< process names by index (for messages)
  std::string host;                          ///< this process's address: Gloo listens there
  std::chrono::milliseconds timeout{15000};  ///< each rendezvous and collective
};

/// The largest segment Gloo's ring may send for a sum of `bytes` over
/// `ranks`: about 8 segments per rank's chunk, within [64 KiB, 1 MiB]. The
/// ring keeps two segments in flight and forwards a segment only once it has
/// arrived, so filling and draining the pipeline costs about two segments'
/// time in each half; Gloo's default (1 MiB, at least 2 per chunk) sent a
/// 7.45 MB sum over 4 ranks in 0.93 MB segments, 2 per chunk.
[[nodiscard]] std::size_t ring_segment_bytes(std::size_t bytes, std::size_t ranks);

class gloo_allreduce {
 public:
  gloo_allreduce(gloo_setup setup, std::shared_ptr<rendezvous_store> store);
  ~gloo_allreduce();
  gloo_allreduce(const gloo_allreduce&) = delete;
  gloo_allreduce& operator=(const gloo_allreduce&) = delete;

  /// The element-wise sum of `values` (the same length everywhere) over the
  /// processes marked in `live` (by index; this one among them), for
  /// `iteration`: every live process calls it for the same iterations, in
  /// order. The error names the processes and what failed.
  core::result<std::vector<double>> sum(std::uint64_t iteration, std::vector<double> values,
                                        const std::vector<bool>& live);

  /// How many contexts were built (1 after the first).
  [[nodiscard]] int generation() const { return generation_; }

 private:
  core::status build(const std::vector<bool>& live);
  /// After a build: the sum of `iteration` when a member had already
  /// completed it (this process is behind), else nothing.
  std::optional<std::vector<double>> agree(std::uint64_t iteration, std::size_t size);
  [[nodiscard]] std::string members_text() const;

  gloo_setup setup_;
  std::shared_ptr<rendezvous_store> store_;
  std::shared_ptr<gloo::transport::Device> device_;
  std::shared_ptr<gloo::Context> context_;  ///< null: none (or a single process)
  std::vector<bool> members_;               ///< the live set it was built over
  bool built_ = false;
  int generation_ = 0;
  std::uint64_t last_iteration_ = 0;  ///< the last sum this process applied
  /// The last sum this process applied, as it crossed the wire (fp32; the
  /// f64 sum is its exact widening). Swapped with wire_ after a sum: no copy.
  std::vector<float> last_;
  bool has_last_ = false;
  std::vector<float> wire_;  ///< the fp32 sums, kept between calls
};

}  // namespace sgp::net
