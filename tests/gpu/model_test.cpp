// Whole models on the CPU backend: parameter layout, initialisation,
// gradients against finite differences, partial batches, training progress.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gpu/backend_factory.hpp"
#include "gpu/cpu/cpu_backend.hpp"
#include "gpu/cpu/model_zoo.hpp"
#include "gpu/cpu/network.hpp"
#include "grad_check.hpp"

using namespace sgp::gpu;
using sgp::core::rng;

namespace {

/// A random batch: images uniform in [0, 1), labels uniform in [0, classes).
struct batch_data {
  std::vector<float> images;
  std::vector<std::int32_t> labels;
  batch_data(rng& gen, int n, sample_shape shape, int classes)
      : images(test::uniform_vector(gen, n * shape.elements(), 0.0, 1.0)), labels(n) {
    for (auto& l : labels) l = static_cast<std::int32_t>(gen.below(classes));
  }
  [[nodiscard]] host_batch view(int from = 0, int count = -1) const {
    const int n = count < 0 ? static_cast<int>(labels.size()) - from : count;
    const std::size_t per = images.size() / labels.size();
    return {images.data() + from * per, labels.data() + from, n};
  }
};

std::unique_ptr<model> build(backend& be, const std::string& name, sample_shape shape, int classes,
                             int max_batch) {
  auto m = be.make_model(name, shape, classes, max_batch);
  REQUIRE(m.ok());
  return std::move(m).value();
}

std::vector<float> to_host(backend& be, const buffer& b) {
  std::vector<float> v(b.size());
  be.download(b, v);
  return v;
}

}  // namespace

TEST_CASE("parameter layouts put decayed weights first", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  struct expect {
    std::string name;
    std::size_t total;
  };
  // Counts as PyTorch reports them for 1x28x28 input and 10 classes.
  for (const auto& e :
       {expect{"mlp", 1863690}, expect{"cnn", 824458}, expect{"cnn-bn", 824458 + 2 * (32 + 64)}}) {
    auto m = build(*be, e.name, {1, 28, 28}, 10, 8);
    const param_layout& layout = m->layout();
    CHECK(layout.total == e.total);
    std::size_t at = 0;
    for (const auto& seg : layout.segments) {
      CHECK(seg.offset == at);
      at += seg.size;
      if (seg.kind == param_kind::weight) {
        CHECK(seg.offset + seg.size <= layout.decayed);
      } else {
        CHECK(seg.offset >= layout.decayed);
      }
    }
    CHECK(at == layout.total);
    CHECK(m->running_stats().size() == (e.name == "cnn-bn" ? 2u * (32 + 64) : 0u));
  }
  auto bad = be->make_model("resnet", {1, 28, 28}, 10, 8);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("mlp") != std::string::npos);
}

TEST_CASE("initialize is deterministic in the seed and PyTorch-like", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  auto m = build(*be, "cnn-bn", {1, 28, 28}, 10, 8);
  const param_layout& layout = m->layout();
  buffer a = be->allocate(layout.total);
  buffer b = be->allocate(layout.total);
  buffer c = be->allocate(layout.total);
  m->initialize(a, 5);
  m->initialize(b, 5);
  m->initialize(c, 6);
  const auto ha = to_host(*be, a);
  CHECK(ha == to_host(*be, b));
  CHECK(ha != to_host(*be, c));
  // The documented stream: one rng(seed) drawing the weights in layout order.
  sgp::core::rng stream(5);
  const auto& first = layout.segments.front();
  const double b0 = 1.0 / std::sqrt(static_cast<double>(first.fan_in));
  CHECK(ha[0] == static_cast<float>(stream.uniform(-b0, b0)));
  CHECK(ha[1] == static_cast<float>(stream.uniform(-b0, b0)));
  for (const auto& seg : layout.segments) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(seg.fan_in));
    double lo = 1e9, hi = -1e9;
    for (std::size_t i = 0; i < seg.size; ++i) {
      lo = std::min<double>(lo, ha[seg.offset + i]);
      hi = std::max<double>(hi, ha[seg.offset + i]);
    }
    INFO(seg.name);
    switch (seg.kind) {
      case param_kind::weight:
        CHECK(lo >= -bound);
        CHECK(hi <= bound);
        CHECK(hi - lo > bound);  // spread over the range, not constant
        break;
      case param_kind::bn_scale:
        CHECK((lo == 1.0 && hi == 1.0));
        break;
      default:
        CHECK((lo == 0.0 && hi == 0.0));
    }
  }
}

TEST_CASE("whole-model gradients match finite differences", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  const std::string name = GENERATE(std::string("mlp"), std::string("cnn"), std::string("cnn-bn"));
  const sample_shape shape{2, 8, 8};
  const int classes = 5;
  const int n = 4;
  auto m = build(*be, name, shape, classes, n);
  rng gen(11);
  const batch_data data(gen, n, shape, classes);
  buffer params = be->allocate(m->layout().total);
  m->initialize(params, 3);
  // Give biases and BN parameters general values too.
  std::vector<float> host = to_host(*be, params);
  for (std::size_t i = m->layout().decayed; i < host.size(); ++i) {
    host[i] += static_cast<float>(gen.uniform(-0.1, 0.1));
  }
  be->upload(host, params);
  buffer grads = be->allocate(m->layout().total);
  buffer scratch = be->allocate(m->layout().total);
  const float loss0 = m->forward_backward(params, data.view(), grads);
  CHECK(std::isfinite(loss0));
  const std::vector<float> analytic = to_host(*be, grads);

  auto loss = [&] {
    be->upload(host, params);
    return static_cast<double>(m->forward_backward(params, data.view(), scratch));
  };
  test::grad_report report;
  for (const auto& seg : m->layout().segments) {
    auto idx = test::pick_indices(gen, seg.size, 6);
    for (auto& i : idx) i += seg.offset;
    test::check_gradient(seg.name, host, analytic, idx, loss, 1e-3f, 2e-4, 2e-2, report);
  }
  INFO(name << ": checked " << report.checked << ", skipped " << report.skipped);
  for (const auto& f : report.failures) UNSCOPED_INFO(f);
  CHECK(report.failures.empty());
  CHECK(report.skipped <= report.checked / 5);
}

TEST_CASE("a partial last batch gives the same per-sample results", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  const std::string name = GENERATE(std::string("mlp"), std::string("cnn"), std::string("cnn-bn"));
  const sample_shape shape{1, 12, 12};
  const int classes = 4;
  rng gen(12);
  const batch_data data(gen, 16, shape, classes);
  auto big = build(*be, name, shape, classes, 16);
  auto small = build(*be, name, shape, classes, 5);
  buffer params = be->allocate(big->layout().total);
  big->initialize(params, 1);
  small->initialize(params, 1);

  // Evaluation is per sample: 16 at once equals 5 + 5 + 5 + 1.
  const eval_counts all = big->evaluate(params, data.view());
  eval_counts parts;
  for (int from = 0; from < 16; from += 5) {
    const eval_counts c = big->evaluate(params, data.view(from, std::min(5, 16 - from)));
    parts.loss_sum += c.loss_sum;
    parts.correct += c.correct;
    parts.samples += c.samples;
  }
  CHECK(parts.samples == 16);
  CHECK(parts.correct == all.correct);
  CHECK(parts.loss_sum == Approx(all.loss_sum).epsilon(1e-5));

  // A batch of 5 on a model built for 16 matches a model built for 5.
  buffer g_big = be->allocate(big->layout().total);
  buffer g_small = be->allocate(big->layout().total);
  const float l_big = big->forward_backward(params, data.view(3, 5), g_big);
  const float l_small = small->forward_backward(params, data.view(3, 5), g_small);
  CHECK(l_big == Approx(l_small).epsilon(1e-5));
  const auto a = to_host(*be, g_big);
  const auto b = to_host(*be, g_small);
  double max_diff = 0.0, max_abs = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    max_diff = std::max(max_diff, static_cast<double>(std::abs(a[i] - b[i])));
    max_abs = std::max(max_abs, static_cast<double>(std::abs(a[i])));
  }
  CHECK(max_abs > 0.0);
  CHECK(max_diff <= 1e-5 * max_abs);
}

TEST_CASE("per-sample logits do not depend on the batch they come in", "[gpu][cpu]") {
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  const sample_shape shape{3, 8, 8};
  auto layers = cpu::make_layers("cnn-bn", shape, 6);
  REQUIRE(layers.ok());
  cpu::network net(std::move(layers).value(), shape, false, eng);
  std::vector<float> params(net.layout().total);
  rng gen(13);
  for (auto& p : params) p = static_cast<float>(gen.uniform(-0.3, 0.3));
  const auto images = test::uniform_vector(gen, 9 * shape.elements(), 0.0, 1.0);
  const auto full = net.forward(params.data(), images.data(), 9, false);
  const std::vector<float> full_copy(full.begin(), full.end());
  const auto part = net.forward(params.data(), images.data() + 6 * shape.elements(), 3, false);
  REQUIRE(part.size() == 3 * 6u);
  for (std::size_t i = 0; i < part.size(); ++i) {
    CHECK(part[i] == Approx(full_copy[6 * 6 + i]).margin(1e-5));
  }
}

TEST_CASE("a few SGD steps on a fixed batch decrease the loss", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  const std::string name = GENERATE(std::string("mlp"), std::string("cnn"), std::string("cnn-bn"));
  const sample_shape shape{1, 12, 12};
  const int classes = 10;
  rng gen(14);
  const batch_data data(gen, 32, shape, classes);
  auto m = build(*be, name, shape, classes, 32);
  const std::size_t total = m->layout().total;
  buffer x = be->allocate(total);
  buffer g = be->allocate(total);
  buffer mom = be->allocate(total);
  m->initialize(x, 2);
  const sgd_options opt;
  const float first = m->forward_backward(x, data.view(), g);
  float last = first;
  for (int step = 0; step < 25; ++step) {
    be->sgd_step(opt, 0.1f, m->layout().decayed, x, g, mom);
    last = m->forward_backward(x, data.view(), g);
  }
  INFO(name << ": " << first << " -> " << last);
  CHECK(std::isfinite(last));
  CHECK(last < 0.85f * first);
  // Evaluation agrees that the batch is learned (BN switches to running stats).
  if (name != "cnn-bn") {
    const eval_counts c = m->evaluate(x, data.view());
    CHECK(c.loss_sum / c.samples == Approx(m->forward_backward(x, data.view(), g)).epsilon(1e-4));
  }
}
