// Received frame bodies keep their large blocks (net/wire/frame_memory.hpp):
// a dropped 4 MiB body's memory is the next 4 MiB body's, small bodies are
// not kept, and no more than kept_blocks wait.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "net/frame_transport.hpp"
#include "net/wire/frame_memory.hpp"

namespace memory = sgp::net::wire::frame_memory;
using sgp::net::byte_buffer;

TEST_CASE("a dropped large frame body is the next one of its size", "[net]") {
  memory::release_all();
  constexpr std::size_t size = 4u << 20;
  const std::uint8_t* first = nullptr;
  {
    byte_buffer body;
    body.resize(size);
    body[size - 1] = 7;
    first = body.data();
  }
  CHECK(memory::kept() == 1);
  byte_buffer other;
  other.resize(size + 1);  // another size: a new block
  CHECK(other.data() != first);
  byte_buffer again;
  again.resize(size);
  CHECK(again.data() == first);
  CHECK(memory::kept() == 0);
  memory::release_all();
}

TEST_CASE("small frame bodies are not kept, and at most kept_blocks large ones are", "[net]") {
  memory::release_all();
  { byte_buffer small(memory::large_bytes - 1); }
  CHECK(memory::kept() == 0);
  {
    std::vector<byte_buffer> bodies;
    for (std::size_t k = 0; k < memory::kept_blocks + 2; ++k)
      bodies.emplace_back(memory::large_bytes + k);
  }
  CHECK(memory::kept() == memory::kept_blocks);
  // The oldest went: the first sizes are not kept, the last ones are.
  const std::uint8_t* p = nullptr;
  {
    byte_buffer newest(memory::large_bytes + memory::kept_blocks + 1);
    p = newest.data();
    CHECK(memory::kept() == memory::kept_blocks - 1);
  }
  CHECK(memory::kept() == memory::kept_blocks);
  byte_buffer oldest(memory::large_bytes);
  CHECK(oldest.data() != p);
  CHECK(memory::kept() == memory::kept_blocks);
  memory::release_all();
  CHECK(memory::kept() == 0);
}
