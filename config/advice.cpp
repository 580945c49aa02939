// Settings known to fail (see advice.hpp).
#include "config/advice.hpp"

namespace sgp::config {

std::vector<std::string> advice_for(const config& cfg, const settings& set) {
  std::vector<std::string> out;
  const auto& a = set.algorithm;
  // With up to tau + 2 pushes out, w at a step gets small and an x-space
  // step moves z by lr * d / w: every measured run diverged within 50
  // iterations (session 18: 12 of 12 at a peak lr of 0.1, 3 of 3 before).
  if (cfg.cluster.nodes > 1 && a.name == algorithm_kind::osgp &&
      a.osgp_variant == osgp_variant::bounded && a.step_space == step_space::x) {
    out.emplace_back(
        "algorithm.step_space = \"x\" with osgp's bounded variant diverged in every measured run "
        "(docs/performance.md): use step_space = \"z\" (the default) or \"balanced\", or "
        "algorithm.osgp_variant = \"reference\" with \"x\"");
  }
  return out;
}

std::vector<std::string> unused_by_one_node(const config& cfg) {
  std::vector<std::string> out;
  const auto unused = [&](const std::string& key) {
    out.push_back(key +
                  " is not used: one node trains without the actor runtime (it applies "
                  "with cluster.nodes > 1, --console, or sgp node)");
  };
  if (cfg.cluster.actor_threads != 0) unused("cluster.actor_threads");
  if (cfg.cluster.actor_polling != "auto") unused("cluster.actor_polling");
  return out;
}

}  // namespace sgp::config
