// Implementation of group checkpoints (see group_checkpoint.hpp).
#include "core/group_checkpoint.hpp"

#include <algorithm>
#include <cmath>

#include "core/checkpoint.hpp"

namespace sgp::core {
namespace {

std::string key(int node, const char* what) {
  return "node." + std::to_string(node) + "." + what;
}

std::vector<std::int64_t> one(std::int64_t v) {
  return {v};
}

}  // namespace

status save_group_checkpoint(const std::string& path, const group_identity& id,
                             const group_state& state) {
  checkpoint c;
  c.put_string("kind", "group");
  c.put_ints("nodes", one(id.nodes));
  c.put_string("algorithm", id.algorithm);
  c.put_string("model", id.model);
  c.put_ints("seed", one(static_cast<std::int64_t>(id.seed)));
  c.put_ints("batch_size", one(id.batch_size));
  c.put_ints("parameters", one(static_cast<std::int64_t>(id.parameters)));
  c.put_doubles("lost_weight", std::vector<double>{state.lost_weight});
  if (!state.cut.empty()) c.put_string("cut", state.cut);
  if (state.seconds >= 0.0) c.put_doubles("seconds", std::vector<double>{state.seconds});
  for (const auto& n : state.nodes) {
    c.put_ints(key(n.node, "iteration"), one(static_cast<std::int64_t>(n.iteration)));
    c.put_ints(key(n.node, "round"), one(static_cast<std::int64_t>(n.round)));
    c.put_doubles(key(n.node, "w"), std::vector<double>{n.w});
    c.put_floats(key(n.node, "z"), n.z);
    c.put_floats(key(n.node, "momentum"), n.momentum);
    c.put_floats(key(n.node, "running_stats"), n.running_stats);
  }
  return c.save(path);
}

result<group_state> load_group_checkpoint(const std::string& path, const group_identity& id,
                                          const std::vector<int>& only) {
  auto loaded = checkpoint::load(path);
  if (!loaded.ok()) return loaded.err();
  const checkpoint& c = *loaded;
  auto fail = [&](const std::string& what) { return make_error(path + ": " + what); };
  if (!c.has("kind")) {
    return fail("checkpoint was written by a single-node run (cluster.nodes = 1), config has " +
                std::to_string(id.nodes) + " nodes");
  }
  auto int_entry = [&](const std::string& name) -> result<std::int64_t> {
    auto v = c.ints(name, 1);
    if (!v.ok()) return v.err().with_context(path);
    return (*v)[0];
  };
  auto string_entry = [&](const std::string& name) -> result<std::string> {
    auto v = c.string(name);
    if (!v.ok()) return v.err().with_context(path);
    return *v;
  };
  auto nodes = int_entry("nodes");
  if (!nodes.ok()) return nodes.err();
  if (*nodes != id.nodes) {
    return fail("checkpoint was written with cluster.nodes = " + std::to_string(*nodes) +
                ", config has " + std::to_string(id.nodes));
  }
  for (const auto& [name, want] : {std::pair<std::string, std::string>{"algorithm", id.algorithm},
                                   std::pair<std::string, std::string>{"model", id.model}}) {
    auto got = string_entry(name);
    if (!got.ok()) return got.err();
    if (*got != want) {
      const std::string section = name == "model" ? "model.name" : "algorithm.name";
      return fail("checkpoint was written with " + section + " = '" + *got + "', config has '" +
                  want + "'");
    }
  }
  for (const auto& [name, want] :
       {std::pair<std::string, std::int64_t>{"seed", static_cast<std::int64_t>(id.seed)},
        std::pair<std::string, std::int64_t>{"batch_size", id.batch_size},
        std::pair<std::string, std::int64_t>{"parameters",
                                             static_cast<std::int64_t>(id.parameters)}}) {
    auto got = int_entry(name);
    if (!got.ok()) return got.err();
    if (*got != want) {
      const std::string what = name == "seed"         ? "run.seed"
                               : name == "batch_size" ? "data.batch_size"
                                                      : "a model with parameters";
      return fail("checkpoint was written with " + what + " = " + std::to_string(*got) +
                  ", config has " + std::to_string(want));
    }
  }
  group_state out;
  auto lost = c.doubles("lost_weight", 1);
  if (!lost.ok()) return lost.err().with_context(path);
  out.lost_weight = (*lost)[0];
  if (c.has("cut")) {
    auto cut = string_entry("cut");
    if (!cut.ok()) return cut.err();
    out.cut = *cut;
  }
  if (c.has("seconds")) {
    auto seconds = c.doubles("seconds", 1);
    if (!seconds.ok()) return seconds.err().with_context(path);
    if (!std::isfinite((*seconds)[0]) || (*seconds)[0] < 0.0) {
      return fail("checkpoint entry 'seconds' is " + std::to_string((*seconds)[0]) +
                  ", must be a finite number >= 0");
    }
    out.seconds = (*seconds)[0];
  }
  std::vector<int> wanted = only;
  if (wanted.empty()) {
    for (int i = 0; i < id.nodes; ++i) wanted.push_back(i);
  }
  for (int i = 0; i < id.nodes; ++i) {
    if (c.has(key(i, "w")) && std::find(wanted.begin(), wanted.end(), i) == wanted.end()) {
      return fail("checkpoint holds node " + std::to_string(i) +
                  ", which this process does not run (was the cluster's layout changed?)");
    }
  }
  for (const int i : wanted) {
    node_record n;
    n.node = i;
    if (!c.has(key(i, "w"))) {
      out.without_state.push_back(i);  // dead, or without mass, at the cut
      continue;
    }
    auto iteration = int_entry(key(i, "iteration"));
    if (!iteration.ok()) return iteration.err();
    auto round = int_entry(key(i, "round"));
    if (!round.ok()) return round.err();
    auto w = c.doubles(key(i, "w"), 1);
    auto z = c.floats(key(i, "z"), id.parameters);
    auto momentum = c.floats(key(i, "momentum"), id.parameters);
    auto stats = c.floats(key(i, "running_stats"));
    for (const error* e :
         {w.ok() ? nullptr : &w.err(), z.ok() ? nullptr : &z.err(),
          momentum.ok() ? nullptr : &momentum.err(), stats.ok() ? nullptr : &stats.err()}) {
      if (e != nullptr) return e->with_context(path);
    }
    if (*iteration < 0 || *round < 0) {
      return fail("checkpoint entry '" + key(i, "iteration") + "' or '" + key(i, "round") +
                  "' is negative");
    }
    if (!std::isfinite((*w)[0]) || !((*w)[0] > 0.0)) {
      return fail("checkpoint entry '" + key(i, "w") + "' is " + std::to_string((*w)[0]) +
                  ", must be a finite number > 0");
    }
    for (const auto& [name, values] : {std::pair{"z", &*z}, std::pair{"momentum", &*momentum},
                                       std::pair{"running_stats", &*stats}}) {
      const auto bad =
          std::find_if(values->begin(), values->end(), [](float v) { return !std::isfinite(v); });
      if (bad != values->end()) {
        return fail("checkpoint entry '" + key(i, name) + "' holds a non-finite value at index " +
                    std::to_string(bad - values->begin()));
      }
    }
    n.iteration = static_cast<std::uint64_t>(*iteration);
    n.round = static_cast<std::uint64_t>(*round);
    n.w = (*w)[0];
    n.z = std::move(*z);
    n.momentum = std::move(*momentum);
    n.running_stats = std::move(*stats);
    out.nodes.push_back(std::move(n));
  }
  if (only.empty() && out.nodes.empty()) {
    return fail("checkpoint holds no node's state: every node was dead at the cut");
  }
  return out;
}

}  // namespace sgp::core
