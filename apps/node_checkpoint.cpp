// Implementation of node state checkpoints (see node_checkpoint.hpp).
#include "apps/node_checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>
#include <vector>

#include "core/checkpoint.hpp"

namespace sgp::apps {

core::status save_node_state(const node_state& s, const run_identity& id, const std::string& path) {
  core::checkpoint ckpt;
  std::vector<float> host(s.x.size());
  s.backend.download(s.x, host);
  ckpt.put_floats("x", host);
  s.backend.download(s.momentum, host);
  ckpt.put_floats("momentum", host);
  const auto stats = s.model.running_stats();
  ckpt.put_floats("running_stats", {stats.data(), stats.size()});
  ckpt.put_doubles("w", std::vector<double>{s.w});
  ckpt.put_ints("iteration", std::vector<std::int64_t>{s.iteration});
  ckpt.put_ints("seed", std::vector<std::int64_t>{static_cast<std::int64_t>(id.seed)});
  ckpt.put_ints("batch_size", std::vector<std::int64_t>{id.batch_size});
  ckpt.put_string("model", id.model_name);
  return ckpt.save(path);
}

core::status load_node_state(const node_state& s, const run_identity& id, const std::string& path) {
  const std::string& model_name = id.model_name;
  const std::uint64_t seed = id.seed;
  auto loaded = core::checkpoint::load(path);
  if (!loaded.ok()) return loaded.err();
  const core::checkpoint& ckpt = *loaded;
  auto fail = [&](const core::error& e) { return e.with_context(path); };

  auto name = ckpt.string("model");
  if (!name.ok()) return fail(name.err());
  if (*name != model_name) {
    return core::make_error(path + ": checkpoint holds model '" + *name + "', config has '" +
                            model_name + "'");
  }
  auto saved_seed = ckpt.ints("seed", 1);
  if (!saved_seed.ok()) return fail(saved_seed.err());
  if (static_cast<std::uint64_t>((*saved_seed)[0]) != seed) {
    return core::make_error(
        path + ": checkpoint was written with run.seed = " + std::to_string((*saved_seed)[0]) +
        ", config has " + std::to_string(seed) + " (the data order would differ)");
  }
  auto x = ckpt.floats("x", s.x.size());
  auto momentum = ckpt.floats("momentum", s.momentum.size());
  const auto stats = s.model.running_stats();
  auto saved_stats = ckpt.floats("running_stats");
  auto w = ckpt.doubles("w", 1);
  auto iteration = ckpt.ints("iteration", 1);
  for (const core::error* e :
       {x.ok() ? nullptr : &x.err(), momentum.ok() ? nullptr : &momentum.err(),
        saved_stats.ok() ? nullptr : &saved_stats.err(), w.ok() ? nullptr : &w.err(),
        iteration.ok() ? nullptr : &iteration.err()}) {
    if (e != nullptr) return fail(*e);
  }
  // Checkpoints written before batch sizes were recorded have no entry.
  if (ckpt.has("batch_size")) {
    auto batch = ckpt.ints("batch_size", 1);
    if (!batch.ok()) return fail(batch.err());
    if ((*batch)[0] != id.batch_size) {
      return core::make_error(
          path + ": checkpoint was written with data.batch_size = " + std::to_string((*batch)[0]) +
          ", config has " + std::to_string(id.batch_size) +
          " (its iteration count would mean other epochs)");
    }
  }
  if ((*iteration)[0] < 0) {
    return core::make_error(path + ": checkpoint entry 'iteration' is " +
                            std::to_string((*iteration)[0]) + ", must be >= 0");
  }
  if (!std::isfinite((*w)[0]) || !((*w)[0] > 0.0)) {
    return core::make_error(path + ": checkpoint entry 'w' is " + std::to_string((*w)[0]) +
                            ", must be a finite number > 0");
  }
  for (const auto& [name, values] : {std::pair{"x", &*x}, std::pair{"momentum", &*momentum},
                                     std::pair{"running_stats", &*saved_stats}}) {
    const auto bad =
        std::find_if(values->begin(), values->end(), [](float v) { return !std::isfinite(v); });
    if (bad != values->end()) {
      return core::make_error(path + ": checkpoint entry '" + name +
                              "' holds a non-finite value at index " +
                              std::to_string(bad - values->begin()));
    }
  }
  if (saved_stats->size() != stats.size()) {
    return core::make_error(path + ": checkpoint has " + std::to_string(saved_stats->size()) +
                            " running statistics, the model " + std::to_string(stats.size()));
  }
  s.backend.upload(*x, s.x);
  s.backend.upload(*momentum, s.momentum);
  std::copy(saved_stats->begin(), saved_stats->end(), stats.begin());
  s.w = (*w)[0];
  s.iteration = (*iteration)[0];
  return {};
}

}  // namespace sgp::apps
