// Implementation of the in-process transport (see in_process_transport.hpp).
#include "net/in_process_transport.hpp"

#include <utility>

namespace sgp::net {

transport_outcome in_process_transport::deliver(core::gossip_envelope envelope) {
  if (!envelope.message) return transport_outcome::unknown_peer;
  const std::size_t to = envelope.message->to;
  if (to >= stats_.size()) stats_.resize(to + 1);
  auto& st = stats_[to];
  ++st.messages_sent;
  if (!reaches(to)) {
    ++st.messages_dropped;
    return transport_outcome::unknown_peer;
  }
  ++st.messages_delivered;
  receivers_[to](envelope);
  return transport_outcome::delivered;
}

void in_process_transport::set_receiver(std::size_t node, receive_callback callback) {
  if (node >= receivers_.size()) receivers_.resize(node + 1);
  receivers_[node] = std::move(callback);
}

bool in_process_transport::reaches(std::size_t node) const {
  return node < receivers_.size() && static_cast<bool>(receivers_[node]);
}

transport_stats in_process_transport::stats(std::size_t peer) const {
  return peer < stats_.size() ? stats_[peer] : transport_stats{};
}

transport_stats in_process_transport::totals() const {
  transport_stats sum;
  for (const auto& s : stats_) sum += s;
  return sum;
}

}  // namespace sgp::net
