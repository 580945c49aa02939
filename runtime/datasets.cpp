// Implementation of load_datasets (see datasets.hpp).
#include "runtime/datasets.hpp"

#include "core/rng.hpp"
#include "data/fashion_mnist.hpp"
#include "data/synthetic.hpp"
#include "data/user_data.hpp"
#include "runtime/run_limits.hpp"

namespace sgp::runtime {

core::result<train_test> load_datasets(const config::data_section& data, config::data_kind kind,
                                       std::uint64_t seed) {
  using config::data_kind;
  if (kind == data_kind::synthetic) {
    if (auto st = check_synthetic_memory(data, physical_memory_bytes()); !st.ok()) return st.err();
    // Train and test share the class patterns (same seed) but not the noise.
    return train_test{data::make_synthetic(data.synthetic_train_samples, data.channels, data.height,
                                           data.width, data.classes, seed),
                      data::make_synthetic(data.synthetic_test_samples, data.channels, data.height,
                                           data.width, data.classes, core::mix_seed(seed))};
  }
  if (kind == data_kind::idx || kind == data_kind::npy) {
    const data::labelled_files train_files{data.train_images, data.train_labels};
    const data::labelled_files test_files{data.test_images, data.test_labels};
    const auto load = kind == data_kind::idx ? data::load_idx_split : data::load_npy_split;
    auto train = load(train_files, data.max_train_samples);
    if (!train.ok()) return train.err().with_context("data (train split)");
    auto test = load(test_files, data.max_test_samples);
    if (!test.ok()) return test.err().with_context("data (test split)");
    train_test out{std::move(train).value(), std::move(test).value()};
    if (auto st = data::prepare_pair(out.train, out.test, train_files, test_files); !st.ok()) {
      return st.err().with_context("data");
    }
    return out;
  }
  auto train = data::load_fashion_mnist(data.path, data::split::train, data.max_train_samples);
  if (!train.ok()) return train.err().with_context("data.path");
  auto test = data::load_fashion_mnist(data.path, data::split::test, data.max_test_samples);
  if (!test.ok()) return test.err().with_context("data.path");
  return train_test{std::move(train).value(), std::move(test).value()};
}

}  // namespace sgp::runtime
