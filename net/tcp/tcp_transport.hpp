// The TCP data plane on Boost.Asio: one persistent outbound connection per
// peer process (frames to it), inbound connections accepted from peers
// (frames from them). The receiving side speaks first, once: an 8-byte
// random challenge. Then every connection starts with a hello frame naming
// the process, whose proof covers that challenge (`prove`), so a hello
// captured on the path does not open another connection; the receiving side
// refuses a connection whose hello the `accept_hello` predicate rejects,
// whose frames fail the wire checks, or that stalls mid-frame, and counts
// why. Outbound queues are bounded in bytes
// with supersession by key; a broken connection reconnects with exponential
// backoff, keeping its queue. Asio stays inside tcp_transport.cpp.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "net/frame_transport.hpp"
#include "net/wire/control_codec.hpp"

namespace sgp::net::tcp {

struct tcp_options {
  std::uint32_t process = 0;  ///< this process, sent in every hello
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;  ///< 0: an ephemeral port (see port())
  /// A port in use is tried again for this long: a process of the same
  /// cluster that was just killed may still be exiting (a GPU process's
  /// teardown takes seconds) and holds its sockets until it is gone.
  std::chrono::milliseconds bind_wait{15000};
  std::size_t max_queued_bytes = 64u << 20;  ///< per peer
  /// A started frame must make progress (any bytes) within this, or the
  /// connection is dropped as stalled.
  std::chrono::milliseconds stall_timeout{2000};
  std::chrono::milliseconds backoff_initial{10};
  std::chrono::milliseconds backoff_max{1000};
  /// Frames with a payload of at least this many bytes (pushes) leave this
  /// process one at a time, in the order their peers asked for the turn: on
  /// one interface, two pushes written at once both arrive late, and the
  /// older one is the one the cluster waits for. A turn ends when the push
  /// is on the wire (all but `unsent_low` bytes sent) or after `turn_max`
  /// (a stalled peer never holds the others up for longer). 0: no turns.
  /// 2 MiB unsent (17 ms at 1 Gbit/s) keeps the next push ready in the
  /// kernel; with 256 KiB, overlapped pushes waited for their turns and
  /// newer ones superseded 11 % of them (docs/performance.md, session 14).
  std::size_t turn_bytes = 64u << 10;
  std::size_t unsent_low = 2u << 20;
  std::chrono::milliseconds turn_max{250};
  wire::frame_limits limits;
  /// The hello this process sends (process is filled in); its proof for the
  /// receiving side's challenge comes from `prove` (null: `hello.proof` as
  /// given). The check of a peer's hello (version, settings hash, the proof
  /// for the challenge this side sent it) with the address it connected from
  /// ("ADDRESS:PORT"): false refuses.
  wire::hello hello;
  std::function<std::array<std::uint8_t, 32>(std::uint64_t challenge)> prove;
  std::function<bool(const wire::hello&, const std::string& from, std::uint64_t challenge)>
      accept_hello;
};

class tcp_transport final : public frame_transport {
 public:
  /// Listens and starts the I/O thread; an error if the port cannot be bound.
  static core::result<std::unique_ptr<tcp_transport>> start(tcp_options options,
                                                            receive_callback on_receive);
  ~tcp_transport() override;
  tcp_transport(const tcp_transport&) = delete;
  tcp_transport& operator=(const tcp_transport&) = delete;

  /// The bound listening port.
  [[nodiscard]] std::uint16_t port() const;

  /// Adds a peer process to send to; connects (and reconnects) in the background.
  void add_peer(std::uint32_t peer, const std::string& host, std::uint16_t port);

  deliver_outcome deliver(std::uint32_t peer, outgoing_frame frame) override;
  [[nodiscard]] peer_stats stats(std::uint32_t peer) const override;
  [[nodiscard]] inbound_stats inbound() const override;

  struct impl;

 private:
  explicit tcp_transport(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sgp::net::tcp
