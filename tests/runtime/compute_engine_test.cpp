// The compute engine on the CPU backend: the in-place step is the delta
// step, and its evaluations leave the engine's state as they found it. On a
// GPU: batches gathered from resident images equal batches from the host.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <tuple>
#include <vector>

#include "data/synthetic.hpp"
#include "gpu/backend_factory.hpp"
#include "runtime/compute_engine.hpp"
#include "tests/skip.hpp"

namespace {

using sgp::runtime::compute_engine;
using sgp::runtime::compute_setup;

std::shared_ptr<const sgp::data::dataset> train_set() {
  return std::make_shared<const sgp::data::dataset>(sgp::data::make_synthetic(96, 1, 8, 8, 4, 3));
}

compute_setup small_setup(int eval_batch_size = 0) {
  compute_setup s;
  s.model = "cnn-bn";
  s.batch_size = 16;
  s.eval_batch_size = eval_batch_size;
  s.sgd = {0.9f, true, 1e-4f, false};
  return s;
}

std::unique_ptr<compute_engine> make_engine(const compute_setup& setup) {
  auto made = compute_engine::create(setup, train_set());
  REQUIRE(made.ok());
  return std::move(made).value();
}

std::vector<float> host_z(compute_engine& e) {
  std::vector<float> z(e.parameters());
  e.backend().download(e.z_buffer(), z);
  return z;
}

}  // namespace

TEST_CASE("the in-place step moves z by the delta step_delta computes", "[runtime]") {
  auto a = make_engine(small_setup());
  auto b = make_engine(small_setup());
  const auto x = a->initial_parameters();
  REQUIRE(b->initial_parameters() == x);
  for (std::uint64_t it = 0; it < 3; ++it) {
    const float la = a->gradient(it);
    const float lb = b->gradient(it);
    REQUIRE(la == lb);
    const double lr_a = a->step(it);
    const double lr_b = b->step_delta(it);
    REQUIRE(lr_a == lr_b);
    // b applies its delta on the host, as a worker adds it to x (w = 1).
    std::vector<float> delta(b->parameters());
    b->backend().download(b->delta_buffer(), delta);
    auto zb = host_z(*b);
    for (std::size_t k = 0; k < zb.size(); ++k) zb[k] += delta[k];
    b->backend().upload(zb, b->z_buffer());
    const auto za = host_z(*a);
    REQUIRE(za != x);
    for (std::size_t k = 0; k < za.size(); ++k) REQUIRE(za[k] == Approx(zb[k]).margin(1e-6));
  }
  REQUIRE(a->momentum_copy() == b->momentum_copy());
  REQUIRE(a->last_batch_size() == 16);
}

TEST_CASE("an evaluation of another model leaves z and the statistics as they were", "[runtime]") {
  const auto test = sgp::data::make_synthetic(40, 1, 8, 8, 4, 5);
  auto e = make_engine(small_setup());
  const auto z0 = e->initial_parameters();
  e->gradient(0);  // training-mode forward: the running statistics move
  e->step(0);
  const auto z1 = host_z(*e);
  const auto stats = e->running_stats_copy();
  REQUIRE_FALSE(stats.empty());

  // z0 with statistics of all zeros is another model than the engine's.
  const std::vector<float> zeros(stats.size(), 0.0f);
  const auto other = e->evaluate(z0, zeros, test);
  REQUIRE(host_z(*e) == z1);
  REQUIRE(e->running_stats_copy() == stats);

  // The same parameters and statistics score the same either way.
  const auto own = e->evaluate(test);
  const auto given = e->evaluate(z1, stats, test);
  REQUIRE(own.accuracy == given.accuracy);
  REQUIRE(own.loss == Approx(given.loss));
  REQUIRE(other.loss != Approx(own.loss));
}

TEST_CASE("an evaluation model of its own scores as the training model does", "[runtime]") {
  const auto test = sgp::data::make_synthetic(70, 1, 8, 8, 4, 5);
  auto plain = make_engine(small_setup());
  auto own = make_engine(small_setup(32));  // 70 samples: batches of 32, 32 and 6
  (void)plain->initial_parameters();        // initialises z
  (void)own->initial_parameters();
  for (std::uint64_t it = 0; it < 2; ++it) {
    plain->gradient(it);
    plain->step(it);
    own->gradient(it);
    own->step(it);
  }
  const auto a = plain->evaluate(test);
  const auto b = own->evaluate(test);
  REQUIRE(a.accuracy == b.accuracy);
  REQUIRE(a.loss == Approx(b.loss).epsilon(1e-5));
  // Every one of the 70 samples counted, the short last batch too.
  const double correct = a.accuracy * 70.0;
  REQUIRE(correct == Approx(std::round(correct)));
}

TEST_CASE("on a GPU, batches gathered from resident images give the steps host batches give",
          "[runtime][gpu]") {
  if (!sgp::gpu::make_backend("cuda", 0, 0).ok()) SGP_SKIP("no usable CUDA backend");
  // 1x8x8 samples take the vector kernel, the mlp's 1x7x5 the scalar one;
  // 96 samples in batches of 40: the epoch's last batch is short.
  for (const auto& [model, height, width] : {std::tuple{"cnn-bn", 8, 8}, std::tuple{"mlp", 7, 5}}) {
    auto train = std::make_shared<const sgp::data::dataset>(
        sgp::data::make_synthetic(96, 1, height, width, 4, 5));
    compute_setup setup;
    setup.backend = "cuda";
    setup.model = model;
    setup.batch_size = 40;
    setup.reproducible_convolutions = true;  // the same algorithms in both engines
    setup.sgd = {0.9f, true, 1e-4f, false};
    auto made_resident = compute_engine::create(setup, train);
    setup.resident_images = false;
    auto made_host = compute_engine::create(setup, train);
    REQUIRE(made_resident.ok());
    REQUIRE(made_host.ok());
    auto& resident = *made_resident.value();
    auto& host = *made_host.value();
    REQUIRE(resident.resident_images());
    REQUIRE_FALSE(host.resident_images());
    REQUIRE(resident.initial_parameters() == host.initial_parameters());
    // Iterations 0..6 cross two epochs (3 batches each); 9 jumps ahead, as a
    // revived node does (no prefetched batch).
    for (const std::uint64_t it : {0, 1, 2, 3, 4, 5, 6, 9}) {
      INFO(model << " iteration " << it);
      REQUIRE(resident.gradient(it) == host.gradient(it));
      REQUIRE(resident.last_batch_size() == host.last_batch_size());
      REQUIRE(resident.gradient_copy() == host.gradient_copy());
      resident.step(it);
      host.step(it);
      REQUIRE(host_z(resident) == host_z(host));
    }
  }
}
