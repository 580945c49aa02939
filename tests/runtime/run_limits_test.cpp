// Start-up checks: every node has data, the test set is not empty, and what
// a run would allocate fits the machine; each error names the key.
#include <catch2/catch.hpp>

#include "data/synthetic.hpp"
#include "runtime/run_limits.hpp"
#include "tests/small_config.hpp"

using sgp::runtime::check_batch_memory;
using sgp::runtime::check_datasets;
using sgp::runtime::check_node_memory;
using sgp::runtime::check_synthetic_memory;

namespace {

constexpr std::uint64_t gib = std::uint64_t{1} << 30;

}  // namespace

TEST_CASE("every node needs a training sample and the test set a sample", "[runtime]") {
  auto c = sgp::test::small_config(4, "sgp");
  const auto three = sgp::data::make_synthetic(3, 1, 8, 8, 4, 1);
  const auto four = sgp::data::make_synthetic(4, 1, 8, 8, 4, 1);
  const auto none = sgp::data::make_synthetic(0, 1, 8, 8, 4, 1);
  CHECK(check_datasets(c, four, three).ok());
  auto st = check_datasets(c, three, three);
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().message ==
        "data.synthetic_train_samples: 3 training samples for cluster.nodes = 4: every node "
        "needs at least one");
  c.data.name = "fashion-mnist";
  c.data.max_train_samples = 3;
  st = check_datasets(c, three, three);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.err().message, Catch::StartsWith("data.max_train_samples: 3 training samples"));
  st = check_datasets(c, four, none);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.err().message, Catch::StartsWith("data.path: the test set is empty"));
}

TEST_CASE("sizes that cannot fit in memory are refused naming the key", "[runtime]") {
  auto c = sgp::test::small_config(4, "sgp");
  CHECK(check_synthetic_memory(c.data, 16 * gib).ok());
  CHECK(check_batch_memory(c, 784, 16 * gib).ok());
  CHECK(check_node_memory(c, 2'000'000, 16 * gib).ok());

  c.data.height = 100000;
  c.data.width = 100000;
  auto st = check_synthetic_memory(c.data, 16 * gib);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.err().message, Catch::StartsWith("data: the synthetic sets") &&
                                   Catch::Contains("1x100000x100000") &&
                                   Catch::EndsWith("more than this machine's 16.0 GiB of memory"));

  c.data.batch_size = 2147483647;
  st = check_batch_memory(c, 784, 16 * gib);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.err().message, Catch::StartsWith("data.batch_size = 2147483647: "));
  c.data.batch_size = 32;
  c.data.eval_batch_size = 2147483647;
  st = check_batch_memory(c, 784, 16 * gib);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.err().message, Catch::StartsWith("data.eval_batch_size = 2147483647: "));

  c.cluster.nodes = 1000;
  st = check_node_memory(c, 2'000'000, 16 * gib);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.err().message, Catch::StartsWith("cluster.nodes = 1000: "));
  // Unknown memory: nothing to check against.
  CHECK(check_node_memory(c, 2'000'000, 0).ok());
}
