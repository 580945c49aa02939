// Start-up checks of what a run will allocate and whether every node has
// data, done before anything large is allocated: one error line naming the
// key, instead of bad_alloc, an OOM kill or an invariant deep in a node.
// No CAF here: the supervisor and the single-node trainer both call them.
#pragma once

#include <cstdint>

#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/memory.hpp"
#include "core/result.hpp"
#include "data/dataset.hpp"

namespace sgp::runtime {

/// Bytes of physical memory on this machine (see core/memory.hpp).
using core::physical_memory_bytes;

/// The synthetic data sets `data` describes fit in `memory` (for data.name
/// = synthetic; load_datasets calls it before making them).
core::status check_synthetic_memory(const config::data_section& data, std::uint64_t memory);

/// Every node gets at least one training sample, and the test set is not
/// empty. `set` is cfg's resolve() (the error names the key by data kind).
core::status check_datasets(const config::config& cfg, const config::settings& set,
                            const data::dataset& train, const data::dataset& test);
/// Same, resolving `cfg` first (for callers without its settings: tests).
core::status check_datasets(const config::config& cfg, const data::dataset& train,
                            const data::dataset& test);

/// The batch buffers of every node (data.batch_size, data.eval_batch_size
/// samples of `sample_elements` floats) fit in `memory`.
core::status check_batch_memory(const config::config& cfg, std::size_t sample_elements,
                                std::uint64_t memory);

/// cluster.nodes copies of a model's state (parameters, step, gradients,
/// momentum, push-sum buffers; `parameters` floats each) fit in `memory`.
/// Only for the cpu backend: elsewhere that state is in device memory.
core::status check_node_memory(const config::config& cfg, const config::settings& set,
                               std::size_t parameters, std::uint64_t memory);
/// Same, resolving `cfg` first (for callers without its settings: tests, benches).
core::status check_node_memory(const config::config& cfg, std::size_t parameters,
                               std::uint64_t memory);

}  // namespace sgp::runtime
