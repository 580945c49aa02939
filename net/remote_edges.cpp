// The process boundary of push-sum (see remote_edges.hpp).
#include "net/remote_edges.hpp"

#include <memory>
#include <span>
#include <vector>

#include "core/host_mass_space.hpp"
#include "net/push_bridge.hpp"

namespace sgp::net {

remote_edges::remote_edges(std::size_t size, core::delta_precision precision,
                           std::shared_ptr<const core::host_pinning> pinning)
    : size_(size),
      precision_(precision),
      pinning_(pinning),
      // Per in-edge, the block a worker still applies and the next one.
      pool_(std::make_shared<core::host_block_pool>(4, std::move(pinning))) {}

remote_edges::out_edge& remote_edges::out_edge_of(const core::gossip_envelope& e) {
  const auto& m = *e.message;
  const edge_id id{static_cast<std::uint32_t>(m.from), static_cast<std::uint32_t>(m.to)};
  auto it = out_.find(id);
  if (it == out_.end() || it->second.sender_incarnation != e.incarnation ||
      it->second.receiver_incarnation != e.receiver_incarnation) {
    // A new life at either end starts the edge from zero (its running sums do too).
    out_.erase(id);
    it = out_.emplace(id, out_edge{core::delta_sender(size_, precision_, 4, pinning_), 0,
                                   e.incarnation, e.receiver_incarnation})
             .first;
  }
  return it->second;
}

std::optional<outgoing_frame> remote_edges::outgoing(const core::gossip_envelope& e) {
  if (!e.message || !e.message->mass || e.message->mass->size() != size_) return std::nullopt;
  if (e.transfer) {
    ++counters_.transfers_refused;
    return std::nullopt;
  }
  auto& edge = out_edge_of(e);
  const auto& m = *e.message;
  if (m.seq < edge.last_seq) {
    ++counters_.stale_local;
    return std::nullopt;
  }
  // A running sum of the same sequence again is a flush: the push carries
  // whatever T - C_a still holds.
  // Straight into T (a GPU's block: one download, no host copy between).
  edge.sender.set_committed(*m.mass, m.weight);
  edge.last_seq = m.seq;
  const auto push = edge.sender.push();
  ++counters_.pushes_out;
  if (push.resent) ++counters_.resent_out;
  const push_address address{static_cast<std::uint32_t>(m.from), static_cast<std::uint32_t>(m.to),
                             e.incarnation, e.receiver_incarnation, e.round};
  auto frame = push_frame(address, push);
  counters_.wire_bytes_out += frame.size();
  return frame;
}

remote_edges::in_edge& remote_edges::in_edge_of(const wire::push_fields& f) {
  const edge_id id{f.sender, f.receiver};
  auto it = in_.find(id);
  if (it == in_.end() || it->second.sender_incarnation < f.sender_incarnation ||
      it->second.receiver_incarnation < f.receiver_incarnation) {
    in_.erase(id);
    // Two blocks per in-edge (the one its worker still applies, the next):
    // beyond the pool's bound, each push would allocate (and pin) afresh.
    pool_->allow(2 * (in_.size() + 1));
    it = in_.emplace(id, in_edge{core::delta_receiver(size_), nullptr, f.sender_incarnation,
                                 f.receiver_incarnation})
             .first;
  }
  return it->second;
}

remote_edges::inbound remote_edges::incoming(const wire::push_view& view) {
  ++counters_.pushes_in;
  // Read in place: the frame outlives this call.
  auto decoded = push_from_wire(view, true);
  const auto& f = view.fields;
  if (!decoded.ok() || f.sender == f.receiver) {
    ++counters_.malformed_in;
    return {};
  }
  auto& edge = in_edge_of(f);
  if (edge.sender_incarnation != f.sender_incarnation ||
      edge.receiver_incarnation != f.receiver_incarnation) {
    // From an earlier life of either end: nothing to apply, nothing to ack.
    ++counters_.not_applied_in;
    return {};
  }
  const auto& [address, push] = decoded.value();
  // C after the push, written to the block the worker gets in the same pass.
  auto block = std::make_shared<core::host_mass>(pool_, size_);
  switch (edge.receiver.accept_into(push, {block->data(), block->size()})) {
    case core::delta_outcome::applied:
      ++counters_.applied_in;
      edge.held = std::move(block);
      break;
    case core::delta_outcome::malformed:
      ++counters_.malformed_in;
      return {};
    default:
      ++counters_.not_applied_in;
  }
  inbound out;
  out.ack = ack_frame(address, edge.receiver.held_seq());
  if (edge.held) {
    auto message = std::make_shared<core::push_message>();
    message->from = f.sender;
    message->to = f.receiver;
    message->seq = edge.receiver.held_seq();
    message->mass = edge.held;
    message->weight = edge.receiver.held_weight();
    core::gossip_envelope e;
    e.iteration = f.iteration;
    e.round = f.iteration;
    e.incarnation = f.sender_incarnation;
    e.receiver_incarnation = f.receiver_incarnation;
    e.message = std::move(message);
    out.forward = std::move(e);
  }
  return out;
}

void remote_edges::acknowledged(const wire::ack& a) {
  // The ack's sender is the push's receiver.
  const auto it = out_.find({a.receiver, a.sender});
  if (it == out_.end() || it->second.sender_incarnation != a.receiver_incarnation ||
      it->second.receiver_incarnation != a.sender_incarnation)
    return;
  ++counters_.acks_in;
  (void)it->second.sender.on_ack(a.held_seq);
}

void remote_edges::forget_process(const std::vector<std::uint32_t>& node_process,
                                  std::uint32_t process) {
  for (std::size_t node = 0; node < node_process.size(); ++node) {
    if (node_process[node] == process) forget(static_cast<std::uint32_t>(node));
  }
}

void remote_edges::forget(std::uint32_t node) {
  std::erase_if(out_,
                [&](const auto& kv) { return kv.first.first == node || kv.first.second == node; });
  std::erase_if(in_,
                [&](const auto& kv) { return kv.first.first == node || kv.first.second == node; });
}

}  // namespace sgp::net
