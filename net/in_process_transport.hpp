// The in-process transport: nodes of one process hand envelopes over
// without copying. An envelope holds shared, immutable buffers (the running
// sum, the optimizer state); deliver() passes the envelope itself to the
// receiver's callback, which posts it to the receiving worker. Nothing is
// serialised, so nothing is charged: bytes are the emulator's business.
#pragma once

#include <cstddef>
#include <vector>

#include "net/node_transport.hpp"

namespace sgp::net {

class in_process_transport final : public node_transport {
 public:
  transport_outcome deliver(core::gossip_envelope envelope) override;
  void set_receiver(std::size_t node, receive_callback callback) override;
  [[nodiscard]] bool reaches(std::size_t node) const override;
  [[nodiscard]] transport_stats stats(std::size_t peer) const override;
  [[nodiscard]] transport_stats totals() const override;

 private:
  std::vector<receive_callback> receivers_;  ///< by node id
  std::vector<transport_stats> stats_;       ///< by node id
};

}  // namespace sgp::net
