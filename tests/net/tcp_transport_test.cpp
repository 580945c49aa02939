// The TCP data plane (net/tcp) on 127.0.0.1: frames round-trip; garbage, a
// refused hello and a stall mid-frame drop the connection and are counted;
// a lost connection reconnects; the send queue stays within its bound under
// a reader that never reads.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "core/rng.hpp"
#include "net/tcp/tcp_transport.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/crc32c.hpp"
#include "net/wire/push_codec.hpp"

namespace asio = boost::asio;
namespace wire = sgp::net::wire;
using namespace std::chrono_literals;
using sgp::net::deliver_outcome;
using sgp::net::outgoing_frame;
using sgp::net::received_frame;
using sgp::net::tcp::tcp_options;
using sgp::net::tcp::tcp_transport;

namespace {

/// Frames received on the transport's thread, waited for on the test's.
struct collector {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<received_frame> frames;

  auto callback() {
    return [this](received_frame f) {
      std::lock_guard lock(mutex);
      frames.push_back(std::move(f));
      cv.notify_all();
    };
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, timeout, [&] { return frames.size() >= n; });
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return frames.size();
  }
};

/// Polls `pred` until true or the timeout.
template <class P>
bool eventually(P pred, std::chrono::milliseconds timeout = 5000ms) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

std::unique_ptr<tcp_transport> start(std::uint32_t process,
                                     sgp::net::frame_transport::receive_callback cb,
                                     tcp_options options = {}) {
  options.process = process;
  auto t = tcp_transport::start(std::move(options), std::move(cb));
  REQUIRE(t.ok());
  return std::move(t.value());
}

/// A push of `n` fp32 values valued `seed + i`, as a gather pair.
outgoing_frame push_frame(std::uint64_t seq, std::uint32_t n, std::uint64_t key = 0) {
  auto payload = std::make_shared<std::vector<std::uint8_t>>(4 * std::size_t{n});
  for (std::uint32_t i = 0; i < n; ++i) {
    const float v = static_cast<float>(seq * 1000 + i);
    std::memcpy(payload->data() + 4 * i, &v, 4);
  }
  wire::push_fields f;
  f.sender = 0;
  f.receiver = 1;
  f.seq = seq;
  f.base = seq - 1;
  f.weight = 0.5;
  f.count = n;
  const auto head = wire::encode_push_head(f, *payload);
  return outgoing_frame{std::make_shared<std::vector<std::uint8_t>>(head.begin(), head.end()),
                        payload, key};
}

/// A raw client socket to the transport's port, past the challenge the
/// transport sends first (into `challenge` when given).
asio::ip::tcp::socket raw_client(asio::io_context& io, std::uint16_t port,
                                 std::uint64_t* challenge = nullptr) {
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::array<std::uint8_t, 8> bytes{};
  asio::read(s, asio::buffer(bytes));
  if (challenge != nullptr) {
    *challenge = 0;
    for (std::size_t k = 0; k < bytes.size(); ++k) {
      *challenge |= static_cast<std::uint64_t>(bytes[k]) << (8 * k);
    }
  }
  return s;
}

/// What a transport's receiving side sends first: a challenge (here a
/// fixed one), after which the connecting transport sends its hello.
void send_challenge(asio::ip::tcp::socket& s) {
  const std::array<std::uint8_t, 8> challenge{1, 2, 3, 4, 5, 6, 7, 8};
  asio::write(s, asio::buffer(challenge));
}

/// A test proof for `challenge` (a cluster's is an HMAC under its secret).
std::array<std::uint8_t, 32> test_proof(std::uint64_t challenge) {
  std::array<std::uint8_t, 32> p{};
  for (std::size_t k = 0; k < 8; ++k) p[k] = static_cast<std::uint8_t>(challenge >> (8 * k));
  p[31] = 0x5a;
  return p;
}

/// True if the server closed the connection (EOF or reset) within 5 s;
/// false if the read timed out or data came instead.
bool closed_by_peer(asio::ip::tcp::socket& s) {
  timeval tv{5, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::array<std::uint8_t, 16> buf{};
  // Plain recv: Asio's blocking read would wait on past the timeout.
  const auto n = ::recv(s.native_handle(), buf.data(), buf.size(), 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

}  // namespace

TEST_CASE("tcp: frames round-trip between two transports", "[net]") {
  collector at_b;
  auto b = start(1, at_b.callback());
  tcp_options a_options;
  a_options.hello.nonce = 1796275741740691;  // a cluster's: the sender's incarnation
  auto a = start(0, nullptr, a_options);
  a->add_peer(1, "127.0.0.1", b->port());
  std::vector<std::uint32_t> sizes;
  for (std::uint32_t k = 0; k < 40; ++k) sizes.push_back(k == 0 ? 0 : (k * 7919) % 300000);
  for (std::size_t k = 0; k < sizes.size(); ++k)
    CHECK(a->deliver(1, push_frame(k + 1, sizes[k])) == deliver_outcome::queued);
  const auto ack = wire::encode_control(wire::ack{0, 1, 0, 0, 7, 3});
  CHECK(a->deliver(1, outgoing_frame{std::make_shared<std::vector<std::uint8_t>>(ack), nullptr,
                                     0}) == deliver_outcome::queued);
  REQUIRE(at_b.wait_for(sizes.size() + 1));
  wire::frame_decoder d;
  std::size_t payload_bytes = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const auto& f = at_b.frames[k];
    CHECK(f.peer == 0);
    CHECK(f.nonce == a_options.hello.nonce);  // its connection's hello's
    REQUIRE(f.kind == wire::frame_kind::push);
    auto push = wire::decode_push(d, wire::frame_view{f.kind, f.body});
    REQUIRE(push.ok());
    CHECK(push->fields.seq == k + 1);  // in order
    CHECK(push->fields.count == sizes[k]);
    const auto expect = push_frame(k + 1, sizes[k]);
    CHECK(std::equal(push->payload.begin(), push->payload.end(), expect.payload->begin(),
                     expect.payload->end()));
    payload_bytes += push->payload.size();
  }
  CHECK(at_b.frames.back().kind == wire::frame_kind::ack);
  CHECK(d.rejected().total() == 0);
  REQUIRE(eventually([&] { return a->stats(1).frames_sent == sizes.size() + 2; }));  // + hello
  CHECK(b->stats(0).frames_received == sizes.size() + 1);
  CHECK(b->inbound().dropped == 0);
  CHECK(a->deliver(5, push_frame(1, 1)) == deliver_outcome::unknown_peer);
}

TEST_CASE("tcp: frames split at random points reassemble", "[net]") {
  // A raw peer writes a hello and 30 frames as one byte stream cut into
  // random pieces (1..300 bytes), so headers and bodies straddle reads.
  collector at_b;
  auto b = start(1, at_b.callback());
  asio::io_context io;
  auto s = raw_client(io, b->port());
  std::vector<std::uint8_t> stream = wire::encode_control(wire::hello{6, 1, 0, 0, {}});
  for (std::uint64_t k = 1; k <= 30; ++k) {
    const auto f = push_frame(k, static_cast<std::uint32_t>(k * 13));
    stream.insert(stream.end(), f.head->begin(), f.head->end());
    stream.insert(stream.end(), f.payload->begin(), f.payload->end());
    const auto hb = wire::encode_control(wire::heartbeat{6, k, k});
    stream.insert(stream.end(), hb.begin(), hb.end());
  }
  sgp::core::rng r(12);
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t n = std::min<std::size_t>(1 + r.below(300), stream.size() - at);
    asio::write(s, asio::buffer(stream.data() + at, n));
    at += n;
    if (r.below(4) == 0) std::this_thread::sleep_for(1ms);
  }
  REQUIRE(at_b.wait_for(60));
  wire::frame_decoder d;
  for (std::uint64_t k = 1; k <= 30; ++k) {
    const auto& push = at_b.frames[2 * (k - 1)];
    const auto& hb = at_b.frames[2 * (k - 1) + 1];
    REQUIRE(push.kind == wire::frame_kind::push);
    auto view = wire::decode_push(d, wire::frame_view{push.kind, push.body});
    REQUIRE(view.ok());
    CHECK(view->fields.seq == k);
    CHECK(view->fields.count == k * 13);
    const auto expect = push_frame(k, static_cast<std::uint32_t>(k * 13));
    CHECK(std::equal(view->payload.begin(), view->payload.end(), expect.payload->begin(),
                     expect.payload->end()));
    CHECK(hb.kind == wire::frame_kind::heartbeat);
    CHECK(hb.peer == 6);
  }
  CHECK(b->inbound().dropped == 0);
  CHECK(b->stats(6).frames_received == 60);
}

TEST_CASE("tcp: garbage, a refused hello and a corrupt frame drop the connection", "[net]") {
  collector at_b;
  tcp_options opt;
  opt.accept_hello = [](const wire::hello& h, const std::string&, std::uint64_t) {
    return h.settings_hash == 42;
  };
  auto b = start(1, at_b.callback(), opt);
  asio::io_context io;
  sgp::core::rng r(8);

  // Garbage from the first byte.
  auto s1 = raw_client(io, b->port());
  std::vector<std::uint8_t> junk(100);
  for (auto& v : junk) v = static_cast<std::uint8_t>(r.next());
  junk[0] = 'X';
  asio::write(s1, asio::buffer(junk));
  CHECK(closed_by_peer(s1));
  REQUIRE(eventually([&] { return b->inbound().dropped == 1; }));
  CHECK(b->inbound().rejected[wire::wire_error::bad_magic] == 1);

  // A hello with the wrong settings hash.
  auto s2 = raw_client(io, b->port());
  asio::write(s2, asio::buffer(wire::encode_control(wire::hello{3, 1, 41, 0, {}})));
  CHECK(closed_by_peer(s2));
  REQUIRE(eventually([&] { return b->inbound().refused_hello == 1; }));

  // A good hello, then a push with one payload bit flipped.
  auto s3 = raw_client(io, b->port());
  asio::write(s3, asio::buffer(wire::encode_control(wire::hello{3, 1, 42, 0, {}})));
  const auto good = push_frame(1, 64);
  std::vector<std::uint8_t> bytes(good.head->begin(), good.head->end());
  bytes.insert(bytes.end(), good.payload->begin(), good.payload->end());
  asio::write(s3, asio::buffer(bytes));  // accepted
  bytes[200] ^= 0x10;
  asio::write(s3, asio::buffer(bytes));  // refused
  CHECK(closed_by_peer(s3));
  REQUIRE(eventually([&] { return b->inbound().dropped == 3; }));
  CHECK(b->inbound().rejected[wire::wire_error::body_checksum] == 1);
  CHECK(at_b.size() == 1);  // only the sound push reached the callback
  CHECK(at_b.frames[0].peer == 3);
  CHECK(b->stats(3).frames_received == 1);

  // Frames before any hello are refused too.
  auto s4 = raw_client(io, b->port());
  asio::write(s4, asio::buffer(bytes.data(), 0));
  asio::write(s4, asio::buffer(wire::encode_control(wire::heartbeat{3, 1, 1})));
  CHECK(closed_by_peer(s4));
  REQUIRE(eventually([&] { return b->inbound().refused_hello == 2; }));

  // A push header claiming 512 MiB before any hello: refused from the
  // header, nothing allocated, long before the stall timeout.
  auto s5 = raw_client(io, b->port());
  std::vector<std::uint8_t> forged(wire::frame_header_size, 0);
  std::memcpy(forged.data(), wire::frame_magic.data(), 4);
  forged[4] = 1;
  forged[5] = 1;
  const std::uint32_t huge = 512u << 20;
  std::memcpy(forged.data() + 8, &huge, 4);
  const auto crc = wire::crc32c(std::span<const std::uint8_t>(forged.data(), 20));
  std::memcpy(forged.data() + 20, &crc, 4);
  const auto t0 = std::chrono::steady_clock::now();
  asio::write(s5, asio::buffer(forged));
  CHECK(closed_by_peer(s5));
  CHECK(std::chrono::steady_clock::now() - t0 < 1000ms);
  REQUIRE(eventually([&] { return b->inbound().refused_hello == 3; }));
  CHECK(b->inbound().stalled == 0);
  CHECK(b->inbound().accepted == 5);
}

TEST_CASE("tcp: a hello proves one connection: replayed on another, it is refused", "[net]") {
  collector at_b;
  tcp_options opt;
  opt.accept_hello = [](const wire::hello& h, const std::string&, std::uint64_t challenge) {
    return h.proof == test_proof(challenge);
  };
  auto b = start(1, at_b.callback(), opt);
  // A transport answers each challenge with its own proof: accepted.
  tcp_options a_options;
  a_options.prove = test_proof;
  auto a = start(0, nullptr, a_options);
  a->add_peer(1, "127.0.0.1", b->port());
  REQUIRE(a->deliver(1, push_frame(1, 16)) == deliver_outcome::queued);
  REQUIRE(at_b.wait_for(1));
  CHECK(b->inbound().refused_hello == 0);

  // A hello that proves one connection's challenge...
  asio::io_context io;
  std::uint64_t c1 = 0;
  std::uint64_t c2 = 0;
  auto s1 = raw_client(io, b->port(), &c1);
  const auto hello = wire::encode_control(wire::hello{3, 1, 7, 11, test_proof(c1)});
  asio::write(s1, asio::buffer(hello));
  const auto hb = wire::encode_control(wire::heartbeat{3, 1, 1});
  asio::write(s1, asio::buffer(hb));
  REQUIRE(at_b.wait_for(2));
  CHECK(at_b.frames[1].peer == 3);
  // ... replayed as it was on the next connection (another challenge): refused.
  auto s2 = raw_client(io, b->port(), &c2);
  CHECK(c2 != c1);
  asio::write(s2, asio::buffer(hello));
  asio::write(s2, asio::buffer(hb));
  CHECK(closed_by_peer(s2));
  REQUIRE(eventually([&] { return b->inbound().refused_hello == 1; }));
  CHECK(at_b.size() == 2);
}

TEST_CASE("tcp: a peer that stalls mid-frame is dropped after the stall timeout", "[net]") {
  collector at_b;
  tcp_options opt;
  opt.stall_timeout = 200ms;
  auto b = start(1, at_b.callback(), opt);
  asio::io_context io;
  auto s = raw_client(io, b->port());
  asio::write(s, asio::buffer(wire::encode_control(wire::hello{2, 1, 0, 0, {}})));
  const auto frame = push_frame(1, 1000);
  const auto t0 = std::chrono::steady_clock::now();
  asio::write(s, asio::buffer(*frame.head));  // header and push fields, no payload
  CHECK(closed_by_peer(s));
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= 190ms);
  CHECK(waited < 3000ms);
  REQUIRE(eventually([&] { return b->inbound().stalled == 1; }));
  CHECK(b->inbound().dropped == 1);
  CHECK(at_b.size() == 0);
  // A slow frame that keeps making progress is not a stall: 1 MiB in
  // 64 KiB pieces every 100 ms takes 1.6 s, longer than this transport's
  // 1 s stall timeout (a gap of 10 pieces' time is left for a loaded machine).
  collector at_c;
  tcp_options patient;
  patient.stall_timeout = 1000ms;
  auto c = start(1, at_c.callback(), patient);
  auto slow = raw_client(io, c->port());
  asio::write(slow, asio::buffer(wire::encode_control(wire::hello{2, 1, 0, 0, {}})));
  const auto big = push_frame(1, 256 * 1024);
  std::vector<std::uint8_t> bytes(big.head->begin(), big.head->end());
  bytes.insert(bytes.end(), big.payload->begin(), big.payload->end());
  const auto slow_start = std::chrono::steady_clock::now();
  for (std::size_t at = 0; at < bytes.size(); at += 64 * 1024) {
    asio::write(
        slow, asio::buffer(bytes.data() + at, std::min<std::size_t>(64 * 1024, bytes.size() - at)));
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(at_c.wait_for(1));
  CHECK(std::chrono::steady_clock::now() - slow_start > patient.stall_timeout);
  CHECK(c->inbound().stalled == 0);
  CHECK(c->inbound().dropped == 0);
  // Idle between frames is not a stall: a quiet, greeted connection stays.
  auto quiet = raw_client(io, b->port());
  asio::write(quiet, asio::buffer(wire::encode_control(wire::hello{2, 1, 0, 0, {}})));
  std::this_thread::sleep_for(400ms);
  CHECK(b->inbound().dropped == 1);
}

TEST_CASE("tcp: a lost connection reconnects with backoff and delivery resumes", "[net]") {
  collector first, second;
  auto b = start(1, first.callback());
  const std::uint16_t port = b->port();
  tcp_options opt;
  opt.backoff_initial = 5ms;
  opt.backoff_max = 50ms;
  auto a = start(0, nullptr, opt);
  a->add_peer(1, "127.0.0.1", port);
  CHECK(a->deliver(1, push_frame(1, 10)) == deliver_outcome::queued);
  REQUIRE(first.wait_for(1));
  b.reset();  // the peer process goes away
  REQUIRE(eventually([&] { return a->stats(1).disconnects == 1; }));
  // Frames delivered while it is away wait in the queue.
  CHECK(a->deliver(1, push_frame(2, 10)) == deliver_outcome::queued);
  std::this_thread::sleep_for(100ms);  // a few failed reconnects
  tcp_options again;
  again.listen_port = port;
  b = start(1, second.callback(), again);
  REQUIRE(second.wait_for(1));
  CHECK(a->deliver(1, push_frame(3, 10)) == deliver_outcome::queued);
  REQUIRE(second.wait_for(2));
  wire::frame_decoder d;
  const auto seq = [&](const received_frame& f) {
    return wire::decode_push(d, wire::frame_view{f.kind, f.body}).value().fields.seq;
  };
  CHECK(seq(second.frames[0]) == 2);
  CHECK(seq(second.frames[1]) == 3);
  CHECK(a->stats(1).connects == 2);
  CHECK(a->stats(1).queued_frames == 0);
}

TEST_CASE("tcp: the send queue stays within its bound under a reader that never reads", "[net]") {
  // A server that accepts and then never reads: the kernel's buffers fill,
  // the write stalls, and the queue must hold the bound.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket sleeper(io);
  tcp_options opt;
  opt.max_queued_bytes = 4u << 20;
  auto a = start(0, nullptr, opt);
  a->add_peer(9, "127.0.0.1", acceptor.local_endpoint().port());
  acceptor.accept(sleeper);
  send_challenge(sleeper);
  const std::uint32_t n = 256 * 1024;  // 1 MiB frames
  const std::size_t frame_bytes = 4 * std::size_t{n} + wire::push_head_size;
  std::size_t dropped = 0;
  for (std::uint64_t k = 1; k <= 200; ++k)
    if (a->deliver(9, push_frame(k, n, 1000 + k)) == deliver_outcome::dropped_full) ++dropped;
  const auto s = a->stats(9);
  CHECK(dropped > 100);
  CHECK(s.dropped_full == dropped);
  CHECK(s.max_queued_bytes <= opt.max_queued_bytes);
  CHECK(s.queued_bytes <= opt.max_queued_bytes);
  CHECK(s.queued_bytes >= opt.max_queued_bytes - frame_bytes);  // it did fill up

  // One edge: each newer push supersedes the queued one, so the queue
  // never holds more than one push of that edge.
  auto b = start(0, nullptr, opt);
  asio::ip::tcp::socket sleeper2(io);
  b->add_peer(9, "127.0.0.1", acceptor.local_endpoint().port());
  acceptor.accept(sleeper2);
  send_challenge(sleeper2);
  for (std::uint64_t k = 1; k <= 200; ++k) (void)b->deliver(9, push_frame(k, n, 7));
  const auto t = b->stats(9);
  CHECK(t.superseded > 150);
  CHECK(t.dropped_full == 0);
  CHECK(t.queued_frames <= 1);
  CHECK(t.max_queued_bytes <= frame_bytes);
}

TEST_CASE(
    "tcp: pushes to several peers take turns, and one that never reads holds them up no longer "
    "than turn_max",
    "[net]") {
  // Peer 9 accepts and never reads: a push too big for the kernel's
  // buffers never finishes there, and holds the turn.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket sleeper(io);
  collector got;
  auto r = start(1, got.callback());
  for (const bool turns : {true, false}) {
    tcp_options opt;
    opt.max_queued_bytes = 64u << 20;
    opt.turn_max = 300ms;
    if (!turns) opt.turn_bytes = 0;
    auto a = start(0, nullptr, opt);
    a->add_peer(9, "127.0.0.1", acceptor.local_endpoint().port());
    a->add_peer(1, "127.0.0.1", r->port());
    acceptor.accept(sleeper);
    send_challenge(sleeper);
    const auto before = got.size();
    REQUIRE(a->deliver(9, push_frame(1, 8u << 20, 1)) == deliver_outcome::queued);  // 32 MiB
    std::this_thread::sleep_for(50ms);  // its write has started
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(a->deliver(1, push_frame(2, 256u << 10, 2)) == deliver_outcome::queued);  // 1 MiB
    REQUIRE(got.wait_for(before + 1, 5000ms));
    const auto waited = std::chrono::steady_clock::now() - t0;
    if (turns) {
      CHECK(waited >= 250ms);  // it waited for the stalled push's turn to run out
    } else {
      CHECK(waited < 250ms);  // without turns it goes at once
    }
    CHECK(waited < 2000ms);
    sleeper.close();
  }
  // Two peers that read: many pushes to both, all arrive in order per peer
  // (the turn passes on).
  collector got2;
  auto r2 = start(2, got2.callback());
  auto a = start(0, nullptr);
  a->add_peer(1, "127.0.0.1", r->port());
  a->add_peer(2, "127.0.0.1", r2->port());
  const auto before = got.size();
  for (std::uint64_t k = 1; k <= 20; ++k) {
    REQUIRE(a->deliver(1, push_frame(k, 64u << 10)) == deliver_outcome::queued);
    REQUIRE(a->deliver(2, push_frame(k, 64u << 10)) == deliver_outcome::queued);
  }
  CHECK(got.wait_for(before + 20));
  CHECK(got2.wait_for(20));
}

TEST_CASE("tcp: a port in use is tried again until it is free, then named", "[net]") {
  collector got;
  // Another listener holds a port (as a killed process still exiting would).
  asio::io_context io;
  auto holder = std::make_unique<asio::ip::tcp::acceptor>(
      io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = holder->local_endpoint().port();
  tcp_options options;
  options.listen_port = port;
  options.bind_wait = 400ms;
  auto busy = tcp_transport::start(options, got.callback());
  REQUIRE_FALSE(busy.ok());
  CHECK_THAT(busy.err().message,
             Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(port)));
  CHECK_THAT(busy.err().message, Catch::Contains("(still, after 0.4 s: is another process"));
  // Freed while the transport waits: it listens there.
  std::thread release([&] {
    std::this_thread::sleep_for(300ms);
    holder.reset();
  });
  options.bind_wait = 5000ms;
  auto after = tcp_transport::start(options, got.callback());
  release.join();
  REQUIRE(after.ok());
  CHECK(after.value()->port() == port);
}
