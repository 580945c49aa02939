// The TCP transport's shared state (net/tcp/tcp_transport.cpp: the
// transport and its outbound peers; inbound_session.cpp: accepted
// connections). Private to net/tcp: Asio stays out of tcp_transport.hpp.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "net/tcp/tcp_transport.hpp"
#include "net/wire/control_codec.hpp"

namespace sgp::net::tcp {

namespace asio = boost::asio;
using asio::ip::tcp;

struct tcp_transport::impl {
  // Declared first: destroyed last, after everything that refers to it.
  asio::io_context io;
  tcp_options options;
  receive_callback on_receive;
  tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mutex;
  inbound_stats inbound;
  std::map<std::uint32_t, peer_stats> stats;  ///< per peer, both directions
  struct outbound;
  std::map<std::uint32_t, std::shared_ptr<outbound>> peers;
  /// The hello frame for the receiving side's `challenge` (tcp_options::prove).
  [[nodiscard]] shared_bytes hello_frame_for(std::uint64_t challenge) const {
    auto hello = options.hello;
    hello.process = options.process;
    if (options.prove) hello.proof = options.prove(challenge);
    return std::make_shared<const std::vector<std::uint8_t>>(wire::encode_control(hello));
  }
  // The turn for pushes (tcp_options::turn_bytes), guarded by mutex.
  outbound* turn_holder = nullptr;
  std::deque<std::weak_ptr<outbound>> turn_waiting;

  void accept();
};

/// Serves one accepted connection: the challenge, the hello, then frames
/// until it is refused or closed.
void start_inbound_session(tcp_transport::impl& owner, tcp::socket socket);

}  // namespace sgp::net::tcp
