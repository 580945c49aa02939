// Test-set evaluation of a model's parameters: accuracy and mean loss over
// every test sample, in inference mode (batch norm reads the model's running
// statistics). One function for every evaluation of a run: each node's and
// the averaged model's at the end of a group's run (through
// compute_engine::evaluate), and the single-node trainer's every epoch.
#pragma once

#include "data/dataset.hpp"
#include "gpu/backend.hpp"

namespace sgp::runtime {

/// Accuracy in [0, 1] and mean cross-entropy on a test set.
struct test_score {
  double accuracy = 0.0;
  double loss = 0.0;
};

/// Evaluates `params` (in the backend memory of `model`) on the whole of
/// `test`, in batches of model.max_batch(). An empty test set scores 0.
test_score evaluate(gpu::model& model, const gpu::buffer& params, const data::dataset& test);

}  // namespace sgp::runtime
