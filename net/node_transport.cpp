// Shared parts of the node transport interface (see node_transport.hpp).
#include "net/node_transport.hpp"

namespace sgp::net {

transport_stats& transport_stats::operator+=(const transport_stats& o) {
  messages_sent += o.messages_sent;
  bytes_sent += o.bytes_sent;
  messages_delivered += o.messages_delivered;
  messages_lost += o.messages_lost;
  messages_superseded += o.messages_superseded;
  messages_dropped += o.messages_dropped;
  messages_duplicated += o.messages_duplicated;
  return *this;
}

}  // namespace sgp::net
