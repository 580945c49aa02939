// TCP data plane: acceptor and inbound sessions (hello, bounded frame reads,
// stall timer), outbound peers (bounded superseding queue, gather writes,
// reconnect with backoff). All socket work runs on one I/O thread; deliver()
// and stats() lock one mutex.
#include "net/tcp/tcp_transport.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "net/wire/crc32c.hpp"

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

/// One peer to send to.
struct tcp_transport::impl::outbound : std::enable_shared_from_this<outbound> {
  impl& owner;
  std::uint32_t id;
  tcp::endpoint endpoint;
  tcp::socket socket;
  asio::steady_timer timer;
  std::chrono::milliseconds backoff;
  std::uint64_t generation = 0;  ///< bumps per connection: old handlers see a stale value
  // Guarded by owner.mutex:
  std::deque<outgoing_frame> queue;
  bool connected = false;
  bool writing = false;
  bool waiting_turn = false;
  bool draining = false;    ///< its push is written: the turn ends once it is sent
  std::uint64_t turns = 0;  ///< bumps per turn taken: a stale turn timer sees another value
  std::array<std::uint8_t, 1> sink{};
  /// The receiving side's challenge for this connection, and the hello
  /// frame that answers it (queued first; guarded by owner.mutex).
  std::array<std::uint8_t, 8> challenge{};
  shared_bytes hello_frame;
  std::uint64_t challenged = 0;  ///< the generation whose challenge was read
  asio::steady_timer turn_timer;

  outbound(impl& o, std::uint32_t peer, tcp::endpoint ep)
      : owner(o),
        id(peer),
        endpoint(std::move(ep)),
        socket(o.io),
        timer(o.io),
        backoff(o.options.backoff_initial),
        turn_timer(o.io) {}

  /// Under owner.mutex, while a push waits for its turn: takes the first
  /// queued frame that may overtake it (an ack or a heartbeat: no payload,
  /// superseded by newer ones, so their order does not matter; notices and
  /// pushes keep theirs). False if there is none.
  bool take_small_locked(outgoing_frame& out) {
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      if (it->payload || it->supersede_key == 0) continue;
      out = std::move(*it);
      queue.erase(it);
      return true;
    }
    return false;
  }

  [[nodiscard]] bool needs_turn(const outgoing_frame& f) const {
    return owner.options.turn_bytes > 0 && f.payload &&
           f.payload->size() >= owner.options.turn_bytes;
  }

  /// Under owner.mutex: ends this peer's turn and gives it to the first
  /// peer still waiting, returned to be woken outside the lock.
  std::shared_ptr<outbound> pass_turn_locked() {
    if (owner.turn_holder != this) return nullptr;
    owner.turn_holder = nullptr;
    draining = false;
    while (!owner.turn_waiting.empty()) {
      auto next = owner.turn_waiting.front().lock();
      owner.turn_waiting.pop_front();
      if (!next) continue;
      next->waiting_turn = false;
      next->draining = false;
      owner.turn_holder = next.get();
      ++next->turns;
      return next;
    }
    return nullptr;
  }

  /// Ends this peer's turn; it then queues for the next one if it has
  /// another push.
  void pass_turn() {
    std::shared_ptr<outbound> next;
    {
      std::lock_guard lock(owner.mutex);
      next = pass_turn_locked();
    }
    if (next) asio::post(owner.io, [next] { next->write_next(); });
    asio::post(owner.io, [self = shared_from_this()] { self->write_next(); });
  }

  /// Bounds the turn taken at `turn`: after turn_max it passes on, even
  /// while its push is still being written (a stalled peer).
  void bound_turn(std::uint64_t turn) {
    turn_timer.expires_after(owner.options.turn_max);
    turn_timer.async_wait([self = shared_from_this(), turn](boost::system::error_code ec) {
      if (!ec && self->turns == turn) self->pass_turn();
    });
  }

  /// Ends the turn taken at `turn` once its written push is on the wire:
  /// the kernel holds fewer than unsent_low bytes of it (TCP_NOTSENT_LOWAT
  /// makes the socket writable then).
  void end_turn_when_sent(std::uint64_t turn) {
    socket.async_wait(tcp::socket::wait_write,
                      [self = shared_from_this(), turn](boost::system::error_code) {
                        if (self->turns != turn) return;
                        self->turn_timer.cancel();
                        self->pass_turn();
                      });
  }

  void connect() {
    const auto gen = ++generation;
    socket = tcp::socket(owner.io);
    socket.async_connect(endpoint, [self = shared_from_this(), gen](boost::system::error_code ec) {
      if (gen != self->generation) return;
      if (ec) return self->retry_later();
      boost::system::error_code ignored;
      self->socket.set_option(tcp::no_delay(true), ignored);
#ifdef TCP_NOTSENT_LOWAT
      if (self->owner.options.turn_bytes > 0) {
        // Writable again once all but unsent_low bytes are on the wire.
        const int low = static_cast<int>(self->owner.options.unsent_low);
        (void)::setsockopt(self->socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &low,
                           sizeof low);
      }
#endif
      self->read_challenge(gen);
    });
  }

  /// The receiving side's challenge, within the stall timeout; then the
  /// hello that answers it goes first, ahead of anything queued.
  void read_challenge(std::uint64_t gen) {
    timer.expires_after(owner.options.stall_timeout);
    timer.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
      if (!ec && gen == self->generation && self->challenged != gen) self->broken();
    });
    asio::async_read(socket, asio::buffer(challenge),
                     [self = shared_from_this(), gen](boost::system::error_code ec, std::size_t) {
                       if (gen != self->generation) return;
                       if (ec) return self->broken();
                       self->challenged = gen;
                       self->timer.cancel();
                       std::uint64_t c = 0;
                       for (std::size_t k = 0; k < self->challenge.size(); ++k) {
                         c |= static_cast<std::uint64_t>(self->challenge[k]) << (8 * k);
                       }
                       auto hello = self->owner.hello_frame_for(c);
                       self->backoff = self->owner.options.backoff_initial;
                       {
                         std::lock_guard lock(self->owner.mutex);
                         self->connected = true;
                         ++self->owner.stats[self->id].connects;
                         self->hello_frame = hello;
                         self->queue.push_front(outgoing_frame{std::move(hello), nullptr, 0});
                       }
                       self->watch_eof(gen);
                       self->write_next();
                     });
  }

  /// The receiving side never writes on this connection: a completed read
  /// means it closed (or broke) the connection.
  void watch_eof(std::uint64_t gen) {
    socket.async_read_some(asio::buffer(sink), [self = shared_from_this(), gen](
                                                   boost::system::error_code, std::size_t) {
      if (gen == self->generation) self->broken();
    });
  }

  void broken() {
    boost::system::error_code ignored;
    socket.close(ignored);
    pass_turn();
    {
      std::lock_guard lock(owner.mutex);
      if (connected) ++owner.stats[id].disconnects;
      connected = false;
      // A hello still queued belongs to the dead connection.
      if (!queue.empty() && hello_frame && queue.front().head == hello_frame) queue.pop_front();
      hello_frame = nullptr;
    }
    ++generation;
    retry_later();
  }

  void retry_later() {
    timer.expires_after(backoff);
    backoff = std::min(backoff * 2, owner.options.backoff_max);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->connect();
    });
  }

  void write_next() {
    outgoing_frame frame;
    std::shared_ptr<outbound> passed;  // a turn this peer cannot use
    bool turn = false;
    {
      std::lock_guard lock(owner.mutex);
      if (writing) return;
      // A turn handed to this peer that it cannot use goes on.
      if (!draining && (!connected || queue.empty() || !needs_turn(queue.front()))) {
        passed = pass_turn_locked();
      }
      if (!connected || queue.empty()) {
        if (passed) asio::post(owner.io, [passed] { passed->write_next(); });
        return;
      }
      if (needs_turn(queue.front())) {
        if (owner.turn_holder == nullptr) {
          owner.turn_holder = this;
          draining = false;
          ++turns;
          turn = true;
        } else if (owner.turn_holder != this) {
          if (!waiting_turn) {
            waiting_turn = true;
            owner.turn_waiting.push_back(weak_from_this());
          }
          if (!take_small_locked(frame)) return;
        } else if (draining) {  // its last push is still leaving
          if (!take_small_locked(frame)) return;
        } else {
          turn = true;
        }
      }
      if (!frame.head) {
        frame = std::move(queue.front());
        queue.pop_front();
      }
      auto& s = owner.stats[id];
      const bool hello = hello_frame && frame.head == hello_frame;
      s.queued_bytes -= hello ? 0 : frame.size();
      s.queued_frames -= hello ? 0 : 1;
      writing = true;
      // Past superseding: its sender may build the next push on it.
      if (frame.progress) frame.progress->store(core::frame_progress::on_wire);
    }
    if (passed) asio::post(owner.io, [passed] { passed->write_next(); });
    std::array<asio::const_buffer, 2> buffers{
        asio::buffer(*frame.head),
        frame.payload ? asio::buffer(*frame.payload) : asio::const_buffer()};
    const auto gen = generation;
    const auto my_turn = turns;
    if (turn) bound_turn(my_turn);
    asio::async_write(socket, buffers,
                      [self = shared_from_this(), frame, gen, turn, my_turn](
                          boost::system::error_code ec, std::size_t n) {
                        {
                          std::lock_guard lock(self->owner.mutex);
                          self->writing = false;
                          auto& s = self->owner.stats[self->id];
                          if (ec) {
                            ++s.lost_on_disconnect;
                          } else {
                            ++s.frames_sent;
                            s.bytes_sent += n;
                          }
                        }
                        // A stale handler (its connection is gone) still
                        // resumes writing: a new connection may be waiting.
                        if (gen == self->generation && ec) return self->broken();
                        if (turn && !ec && self->turns == my_turn) {
                          bool holds = false;
                          {
                            std::lock_guard lock(self->owner.mutex);
                            holds = self->owner.turn_holder == self.get();
                            if (holds) self->draining = true;
                          }
                          if (holds) self->end_turn_when_sent(my_turn);
                        }
                        self->write_next();
                      });
  }
};

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

void tcp_transport::impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      {
        std::lock_guard lock(mutex);
        ++inbound.accepted;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<inbound_session>(*this, std::move(socket))->start();
    }
    accept();
  });
}

core::result<std::unique_ptr<tcp_transport>> tcp_transport::start(tcp_options options,
                                                                  receive_callback on_receive) {
  auto p = std::make_unique<impl>();
  p->options = std::move(options);
  p->on_receive = std::move(on_receive);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(p->options.listen_host, ec);
  if (ec) return core::make_error("tcp: bad listen address '" + p->options.listen_host + "'");
  const tcp::endpoint ep(address, p->options.listen_port);
  p->acceptor.open(ep.protocol(), ec);
  if (!ec) p->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  const auto bind_until = std::chrono::steady_clock::now() + p->options.bind_wait;
  bool waited = false;
  if (!ec) p->acceptor.bind(ep, ec);
  while (ec == asio::error::address_in_use && std::chrono::steady_clock::now() < bind_until) {
    waited = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    p->acceptor.bind(ep, ec);
  }
  if (!ec) p->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    char still[96] = "";
    if (waited) {
      std::snprintf(still, sizeof(still), " (still, after %.1f s: is another process using it?)",
                    static_cast<double>(p->options.bind_wait.count()) / 1000.0);
    }
    return core::make_error("tcp: cannot listen on " + p->options.listen_host + ":" +
                            std::to_string(p->options.listen_port) + ": " + ec.message() + still);
  }
  p->accept();
  auto* raw = p.get();
  p->thread = std::thread([raw] {
    auto guard = asio::make_work_guard(raw->io);
    raw->io.run();
  });
  return std::unique_ptr<tcp_transport>(new tcp_transport(std::move(p)));
}

tcp_transport::tcp_transport(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

tcp_transport::~tcp_transport() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->peers.clear();
}

std::uint16_t tcp_transport::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void tcp_transport::add_peer(std::uint32_t peer, const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  auto out = std::make_shared<impl::outbound>(*impl_, peer, tcp::endpoint(address, port));
  {
    std::lock_guard lock(impl_->mutex);
    impl_->peers[peer] = out;
    (void)impl_->stats[peer];
  }
  asio::post(impl_->io, [out] { out->connect(); });
}

deliver_outcome tcp_transport::deliver(std::uint32_t peer, outgoing_frame frame) {
  std::shared_ptr<impl::outbound> out;
  {
    std::lock_guard lock(impl_->mutex);
    const auto it = impl_->peers.find(peer);
    if (it == impl_->peers.end()) return deliver_outcome::unknown_peer;
    out = it->second;
    auto& s = impl_->stats[peer];
    if (frame.supersede_key != 0) {
      for (auto& queued : out->queue) {
        if (queued.supersede_key != frame.supersede_key) continue;
        s.queued_bytes = s.queued_bytes - queued.size() + frame.size();
        if (queued.progress) queued.progress->store(core::frame_progress::dropped);
        queued = std::move(frame);
        ++s.superseded;
        s.max_queued_bytes = std::max(s.max_queued_bytes, s.queued_bytes);
        return deliver_outcome::superseded;
      }
    }
    // A frame alone may exceed the bound (else it could never be sent), and
    // frames that no newer one replaces (key 0: notices) are never dropped:
    // nothing would send them again. Pushes, acks and heartbeats are.
    if (frame.supersede_key != 0 && s.queued_frames > 0 &&
        s.queued_bytes + frame.size() > impl_->options.max_queued_bytes) {
      ++s.dropped_full;
      if (frame.progress) frame.progress->store(core::frame_progress::dropped);
      return deliver_outcome::dropped_full;
    }
    s.queued_bytes += frame.size();
    ++s.queued_frames;
    s.max_queued_bytes = std::max(s.max_queued_bytes, s.queued_bytes);
    out->queue.push_back(std::move(frame));
  }
  asio::post(impl_->io, [out] { out->write_next(); });
  return deliver_outcome::queued;
}

peer_stats tcp_transport::stats(std::uint32_t peer) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->stats.find(peer);
  return it == impl_->stats.end() ? peer_stats{} : it->second;
}

inbound_stats tcp_transport::inbound() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->inbound;
}

}  // namespace sgp::net::tcp
