// The rendezvous store over notices (net/rendezvous_store.hpp): entries
// reach the other stores, a dropped entry is asked for again and answered
// by the store that set it, a missing key fails at its deadline, and the
// notices survive the notice codec.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "net/wire/frame.hpp"
#include "tests/net/store_hub.hpp"

using namespace std::chrono_literals;
using sgp::test::store_hub;

TEST_CASE("a store entry reaches the other process's store", "[net]") {
  store_hub hub(2);
  hub.stores[0]->set("rank0", {'a', 'b', '\0', 'c'});
  const auto v = hub.stores[1]->get("rank0", 1000ms);
  REQUIRE(v.ok());
  CHECK(v.value() == std::vector<char>{'a', 'b', '\0', 'c'});
  CHECK(hub.wants == 0);
}

TEST_CASE("a dropped store entry is asked for again and answered by its owner", "[net]") {
  store_hub hub(3);
  hub.drop_entries = 1;
  std::thread waiter([&] { CHECK(hub.stores[2]->wait({"key"}, 3000ms).ok()); });
  std::this_thread::sleep_for(50ms);
  hub.stores[1]->set("key", {'x'});  // dropped on the way
  waiter.join();
  CHECK(hub.wants >= 1);
  const auto v = hub.stores[2]->get("key", 10ms);
  REQUIRE(v.ok());
  CHECK(v.value() == std::vector<char>{'x'});
}

TEST_CASE("a store wait fails at its deadline, naming the missing key", "[net]") {
  store_hub hub(2);
  hub.stores[0]->set("here", {'1'});
  const auto start = std::chrono::steady_clock::now();
  const auto st = hub.stores[1]->wait({"here", "missing"}, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().message.find("missing") != std::string::npos);
  CHECK(st.err().message.find("here") == std::string::npos);
  CHECK(took >= 300ms);
  CHECK(took < 2000ms);
}

TEST_CASE("a store entry with arbitrary bytes survives the notice codec", "[net]") {
  sgp::net::rendezvous_store a(0), b(1);
  std::vector<char> value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
  const auto bytes = sgp::net::wire::encode_notice(a.entry_notice("ar/11/0", value));
  sgp::net::wire::frame_decoder d;
  const auto frame = d.decode(bytes);
  REQUIRE(frame.ok());
  const auto n = sgp::net::wire::decode_notice(d, frame.value());
  REQUIRE(n.ok());
  CHECK_FALSE(b.received(n.value()).has_value());
  const auto v = b.get("ar/11/0", 10ms);
  REQUIRE(v.ok());
  CHECK(v.value() == value);
  // A want for a key b did not set: b does not answer (only the owner does).
  CHECK_FALSE(b.received(a.want_notice("ar/11/0")).has_value());
}
