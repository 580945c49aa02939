// TCP data plane: the transport (listening, accepting, the API) and the
// outbound peers (the challenge read, the hello, bounded superseding queue,
// turns, gather writes, reconnect with backoff). The inbound side is
// inbound_session.cpp. All socket work runs on one I/O thread; deliver() and
// stats() lock one mutex.
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

#include "net/tcp/transport_impl.hpp"

namespace sgp::net::tcp {

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
      start_inbound_session(*this, std::move(socket));
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
