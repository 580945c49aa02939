// Implementation of load_datasets (see datasets.hpp).
#include "actors/datasets.hpp"

#include "actors/run_limits.hpp"
#include "core/rng.hpp"
#include "data/fashion_mnist.hpp"
#include "data/synthetic.hpp"

namespace sgp::actors {

core::result<train_test> load_datasets(const config::data_section& data, std::uint64_t seed) {
  if (data.name == "synthetic") {
    if (auto st = check_synthetic_memory(data, physical_memory_bytes()); !st.ok()) return st.err();
    // Train and test share the class patterns (same seed) but not the noise.
    return train_test{data::make_synthetic(data.synthetic_train_samples, data.channels, data.height,
                                           data.width, data.classes, seed),
                      data::make_synthetic(data.synthetic_test_samples, data.channels, data.height,
                                           data.width, data.classes, core::mix_seed(seed))};
  }
  auto train = data::load_fashion_mnist(data.path, data::split::train, data.max_train_samples);
  if (!train.ok()) return train.err().with_context("data.path");
  auto test = data::load_fashion_mnist(data.path, data::split::test, data.max_test_samples);
  if (!test.ok()) return test.err().with_context("data.path");
  return train_test{std::move(train).value(), std::move(test).value()};
}

}  // namespace sgp::actors
