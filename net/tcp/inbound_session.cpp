// One accepted connection of the TCP transport: the challenge (random, one
// per connection) first, then the hello, whose proof must cover it, then
// frames: bounded reads checked as they arrive, a stall timer per frame.
// Nothing is allocated for a peer that has not said hello.
#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <string>

#include "net/tcp/transport_impl.hpp"
#include "net/wire/crc32c.hpp"

namespace sgp::net::tcp {
namespace {

/// One accepted connection: hello, then frames until refused or closed.
struct inbound_session : std::enable_shared_from_this<inbound_session> {
  tcp_transport::impl& owner;
  tcp::socket socket;
  asio::steady_timer stall;
  wire::frame_decoder decoder;
  std::array<std::uint8_t, wire::frame_header_size> header{};
  wire::frame_header checked{};
  byte_buffer body;
  std::size_t got = 0;         ///< body bytes read so far
  std::uint32_t body_crc = 0;  ///< CRC32C of those bytes
  std::uint64_t progress = 0;  ///< bumps on every step of a frame (stall timer)
  bool greeted = false;
  bool closed = false;
  std::uint32_t peer = 0;
  std::uint64_t nonce = 0;      ///< the hello's
  std::uint64_t challenge = 0;  ///< sent first; the hello's proof must cover it
  std::array<std::uint8_t, 8> challenge_bytes{};

  inbound_session(tcp_transport::impl& o, tcp::socket s)
      : owner(o), socket(std::move(s)), stall(o.io), decoder(o.options.limits) {}

  /// "ADDRESS:PORT" of the connecting side (for refusal messages).
  std::string remote_address() const {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    if (ec) return "an unknown address";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    socket.close(ignored);
    stall.cancel();
  }

  void drop(std::optional<wire::wire_error> why, bool stalled = false, bool bad_hello = false) {
    if (closed) return;
    {
      std::lock_guard lock(owner.mutex);
      ++owner.inbound.dropped;
      if (why) owner.inbound.rejected.count(*why);
      if (stalled) ++owner.inbound.stalled;
      if (bad_hello) ++owner.inbound.refused_hello;
    }
    close();
  }

  /// The challenge (random, one per connection), then the hello.
  void start() {
    std::random_device random;
    challenge = (static_cast<std::uint64_t>(random()) << 32) | random();
    for (std::size_t k = 0; k < challenge_bytes.size(); ++k) {
      challenge_bytes[k] = static_cast<std::uint8_t>(challenge >> (8 * k));
    }
    asio::async_write(socket, asio::buffer(challenge_bytes),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (self->closed) return;
                        if (ec) return self->close();
                        self->read_first_byte();
                      });
  }

  void read_first_byte() {
    asio::async_read(socket, asio::buffer(header.data(), 1),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (self->closed) return;
                       if (ec) return self->close();  // a clean end between frames
                       self->arm_stall();
                       self->read_rest_of_header();
                     });
  }

  /// A frame is in progress: it must make progress (its header, or a chunk
  /// of its body) within the stall timeout. The handler drops only if no
  /// progress happened since it was armed (a re-armed or cancelled timer
  /// may still deliver an earlier expiry).
  void arm_stall() {
    const auto armed_at = ++progress;
    stall.expires_after(owner.options.stall_timeout);
    stall.async_wait([self = shared_from_this(), armed_at](boost::system::error_code ec) {
      if (!ec && self->progress == armed_at) self->drop(std::nullopt, true);
    });
  }

  void read_rest_of_header() {
    asio::async_read(socket, asio::buffer(header.data() + 1, header.size() - 1),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (self->closed) return;
                       if (ec) return self->drop(wire::wire_error::truncated);
                       auto h = self->decoder.decode_header(self->header);
                       if (!h.ok()) return self->drop(h.error());
                       // Nothing is allocated for a peer that has not said hello.
                       if (!self->greeted && h->kind != wire::frame_kind::hello)
                         return self->drop(wire::wire_error::bad_kind, false, true);
                       self->checked = h.value();
                       // Bounded by the header's kind limit, checked above.
                       self->body.resize(self->checked.body_size);
                       self->got = 0;
                       self->body_crc = 0;
                       self->arm_stall();
                       self->read_body();
                     });
  }

  /// The body as it arrives, re-arming the stall timer on every read.
  void read_body() {
    if (got == body.size()) {
      ++progress;  // disarms the stall timer
      stall.cancel();
      return frame_complete();
    }
    const std::size_t chunk = std::min<std::size_t>(body.size() - got, 1u << 23);
    socket.async_read_some(
        asio::buffer(body.data() + got, chunk),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (self->closed) return;
          if (ec) return self->drop(wire::wire_error::truncated);
          // Checksummed while the kernel's copy has it in cache.
          self->body_crc = wire::crc32c({self->body.data() + self->got, n}, self->body_crc);
          self->got += n;
          self->arm_stall();
          self->read_body();
        });
  }

  void frame_complete() {
    auto frame = decoder.check_body(checked, body, body_crc);
    if (!frame.ok()) return drop(frame.error());
    if (!greeted) {
      if (frame->kind != wire::frame_kind::hello)
        return drop(wire::wire_error::bad_kind, false, true);
      auto hello = wire::decode_control(decoder, frame.value());
      if (!hello.ok()) return drop(hello.error(), false, true);
      const auto& h = std::get<wire::hello>(hello.value());
      if (owner.options.accept_hello && !owner.options.accept_hello(h, remote_address(), challenge))
        return drop(std::nullopt, false, true);
      greeted = true;
      peer = h.process;
      nonce = h.nonce;
      return read_first_byte();
    }
    if (frame->kind == wire::frame_kind::hello) return drop(wire::wire_error::bad_kind);
    {
      std::lock_guard lock(owner.mutex);
      auto& s = owner.stats[peer];
      ++s.frames_received;
      s.bytes_received += wire::frame_header_size + body.size();
    }
    if (owner.on_receive)
      owner.on_receive(received_frame{peer, checked.kind, std::move(body), nonce});
    body = {};
    read_first_byte();
  }
};

}  // namespace

void start_inbound_session(tcp_transport::impl& owner, tcp::socket socket) {
  std::make_shared<inbound_session>(owner, std::move(socket))->start();
}

}  // namespace sgp::net::tcp
