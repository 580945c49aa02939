// Learning-rate schedule: the reference recipe (warmup + steps) and cosine.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "core/lr_schedule.hpp"

using namespace sgp::core;

TEST_CASE("parse_lr_decay accepts step and cosine only", "[core]") {
  REQUIRE(parse_lr_decay("step").ok());
  CHECK(*parse_lr_decay("step") == lr_decay::step);
  CHECK(*parse_lr_decay("cosine") == lr_decay::cosine);
  const auto bad = parse_lr_decay("linear");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("step") != std::string::npos);
  CHECK(bad.err().message.find("cosine") != std::string::npos);
}

TEST_CASE("reference recipe: peak 0.1 n, 5-epoch warmup from 0.1, x0.1 at 30/60/80", "[core]") {
  const double n = 32.0;
  lr_schedule s;
  s.peak_lr = 0.1 * n;
  s.warmup_epochs = 5.0;
  s.warmup_start_factor = 1.0 / n;
  s.kind = lr_decay::step;
  s.decay_epochs = {30.0, 60.0, 80.0};
  s.decay_factor = 0.1;
  s.total_epochs = 90.0;
  CHECK(s.at(0.0) == Approx(0.1));
  CHECK(s.at(2.5) == Approx(0.1 + (3.2 - 0.1) * 0.5));
  CHECK(s.at(5.0) == Approx(3.2));
  CHECK(s.at(29.99) == Approx(3.2));
  CHECK(s.at(30.0) == Approx(0.32));
  CHECK(s.at(59.0) == Approx(0.32));
  CHECK(s.at(60.0) == Approx(0.032));
  CHECK(s.at(80.0) == Approx(0.0032));
  CHECK(s.at(89.9) == Approx(0.0032));
  // Monotone ramp during warmup.
  for (double e = 0.0; e < 5.0; e += 0.25) CHECK(s.at(e) < s.at(e + 0.25));
}

TEST_CASE("cosine decay after warmup", "[core]") {
  lr_schedule s;
  s.peak_lr = 1.0;
  s.warmup_epochs = 2.0;
  s.warmup_start_factor = 0.0;
  s.kind = lr_decay::cosine;
  s.total_epochs = 12.0;
  CHECK(s.at(0.0) == Approx(0.0).margin(1e-15));
  CHECK(s.at(1.0) == Approx(0.5));
  CHECK(s.at(2.0) == Approx(1.0));
  CHECK(s.at(7.0) == Approx(0.5));
  CHECK(s.at(4.5) == Approx(0.5 * (1.0 + std::cos(std::numbers::pi * 0.25))));
  CHECK(s.at(12.0) == Approx(0.0).margin(1e-15));
  CHECK(s.at(20.0) == Approx(0.0).margin(1e-15));
}

TEST_CASE("no warmup, no decay epochs: constant peak", "[core]") {
  lr_schedule s;
  s.peak_lr = 0.4;
  CHECK(s.at(0.0) == Approx(0.4));
  CHECK(s.at(100.0) == Approx(0.4));
}

TEST_CASE("lr recipe: lr x nodes x batch / 256, warm-up from the unscaled rate", "[core]") {
  lr_schedule s;
  s.warmup_epochs = 5;
  lr_recipe r;
  r.base_lr = 0.1;
  r.by_nodes = true;
  r.nodes = 32;
  r.batch = 32;
  r.reference_batch = 256;
  r.warmup_from_base = true;
  r.apply(s);
  CHECK(s.peak_lr == Approx(0.4));  // 0.1 x 32 x 32 / 256
  CHECK(s.at(0.0) == Approx(0.1));  // the reference's args.lr
  CHECK(s.at(2.5) == Approx(0.25));
  CHECK(s.at(5.0) == Approx(0.4));
  // A peak below the base rate: no ramp (the reference uses the target at once).
  r.nodes = 4;
  r.apply(s);
  CHECK(s.peak_lr == Approx(0.05));
  CHECK(s.at(0.0) == Approx(0.05));
  // Without warm-up from the base: the configured start factor.
  r.warmup_from_base = false;
  r.start_factor = 0.25;
  r.by_nodes = false;
  r.reference_batch = 0;
  r.apply(s);
  CHECK(s.peak_lr == Approx(0.1));
  CHECK(s.warmup_start_factor == 0.25);
}
