// The CPU backend's buffers, SGD step and the backend factory.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "gpu/backend_factory.hpp"
#include "gpu/cpu/cpu_backend.hpp"
#include "grad_check.hpp"

using namespace sgp::gpu;
using sgp::core::rng;

TEST_CASE("cpu buffers are zero-filled, aligned and round-trip", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  CHECK(be->name() == "cpu");
  for (const std::size_t n : {1u, 3u, 17u, 1000u}) {
    buffer b = be->allocate(n);
    REQUIRE(b.size() == n);
    CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 64 == 0);
    std::vector<float> host(n, 1.0f);
    be->download(b, host);
    for (const float v : host) CHECK(v == 0.0f);
    rng gen(n);
    const auto src = test::uniform_vector(gen, n, -1.0, 1.0);
    be->upload(src, b);
    be->download(b, host);
    CHECK(host == src);
  }
  CHECK(be->allocate(0).size() == 0);
}

TEST_CASE("sgd_step matches a scalar reference", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  const std::size_t n = 1001;
  const std::size_t decayed = 400;
  const bool nesterov = GENERATE(true, false);
  sgd_options opt;
  opt.momentum = 0.9f;
  opt.nesterov = nesterov;
  opt.weight_decay = 0.01f;
  const float lr = 0.1f;
  rng gen(21);
  std::vector<float> x = test::uniform_vector(gen, n, -1.0, 1.0);
  std::vector<float> m(n, 0.0f);
  buffer bx = be->allocate(n), bg = be->allocate(n), bm = be->allocate(n);
  be->upload(x, bx);
  for (int step = 0; step < 3; ++step) {
    const auto g = test::uniform_vector(gen, n, -1.0, 1.0);
    be->upload(g, bg);
    be->sgd_step(opt, lr, decayed, bx, bg, bm);
    for (std::size_t i = 0; i < n; ++i) {
      const double gd = g[i] + (i < decayed ? opt.weight_decay * x[i] : 0.0);
      m[i] = static_cast<float>(opt.momentum * m[i] + gd);
      const double d = nesterov ? gd + opt.momentum * m[i] : m[i];
      x[i] = static_cast<float>(x[i] - lr * d);
    }
  }
  std::vector<float> hx(n), hm(n);
  be->download(bx, hx);
  be->download(bm, hm);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(hx[i] == Approx(x[i]).margin(1e-5));
    CHECK(hm[i] == Approx(m[i]).margin(1e-5));
  }
}

TEST_CASE("sgd_step decays only the first decayed parameters", "[gpu][cpu]") {
  auto be = cpu::make_cpu_backend(2);
  const std::size_t n = 10;
  sgd_options opt;
  opt.momentum = 0.0f;
  opt.nesterov = false;
  opt.weight_decay = 0.5f;
  buffer x = be->allocate(n), g = be->allocate(n), m = be->allocate(n);
  be->upload(std::vector<float>(n, 2.0f), x);
  be->sgd_step(opt, 1.0f, 4, x, g, m);  // zero gradient: only decay moves x
  std::vector<float> hx(n);
  be->download(x, hx);
  for (std::size_t i = 0; i < n; ++i) CHECK(hx[i] == (i < 4 ? 1.0f : 2.0f));
}

TEST_CASE("make_backend builds cpu and names the others", "[gpu][cpu]") {
  auto cpu = make_backend("cpu", 1);
  REQUIRE(cpu.ok());
  CHECK(cpu.value()->name() == "cpu");
  // "cuda" exists where the binary has it and a GPU is present; anywhere
  // else it is an error that names it (not built, or no device).
  auto cuda = make_backend("cuda", 0);
  if (cuda.ok()) {
    CHECK(cuda.value()->name() == "cuda");
  } else {
    CHECK_THAT(cuda.err().message, Catch::StartsWith("backend 'cuda'"));
  }
  auto other = make_backend("tpu", 0);
  REQUIRE_FALSE(other.ok());
  CHECK(other.err().message.find("cpu") != std::string::npos);
  CHECK(other.err().message.find("cuda") != std::string::npos);

  const auto names = model_names();
  CHECK(names == std::vector<std::string>{"mlp", "cnn", "cnn-bn"});
  for (const auto& name : names) {
    auto m = cpu.value()->make_model(name, {3, 16, 16}, 7, 4);
    INFO(name);
    REQUIRE(m.ok());
    CHECK(m.value()->name() == name);
    CHECK(m.value()->classes() == 7);
    CHECK(m.value()->max_batch() == 4);
    CHECK(m.value()->input_shape().channels == 3);
  }
}
