// Loads the train and test sets that a config names (Fashion-MNIST, synthetic,
// or the user's IDX or .npy files); every node of a group shares them read-only.
#pragma once

#include "config/config.hpp"
#include "config/names.hpp"
#include "core/result.hpp"
#include "data/dataset.hpp"

namespace sgp::runtime {

/// The two splits of one run.
struct train_test {
  data::dataset train;
  data::dataset test;
};

/// Reads the sets of kind `kind` (data.name, resolved) that `data`
/// describes; errors name the path that was tried.
core::result<train_test> load_datasets(const config::data_section& data, config::data_kind kind,
                                       std::uint64_t seed);

}  // namespace sgp::runtime
