// Implementation of spawn_training_group (see training_group.hpp).
#include "actors/training_group.hpp"

#include "config/settings.hpp"
#include "runtime/datasets.hpp"

namespace sgp::actors {

training_group spawn_training_group(caf::actor_system& sys, const config::config& cfg,
                                    std::shared_ptr<const data::dataset> train,
                                    std::shared_ptr<const data::dataset> test) {
  training_group g;
  g.train = std::move(train);
  g.test = std::move(test);
  g.supervisor = sys.spawn(supervisor_actor, cfg, g.train, g.test);
  return g;
}

core::result<training_group> spawn_training_group(caf::actor_system& sys,
                                                  const config::config& cfg) {
  // The supervisor resolves the whole config when the group starts; here
  // only the data set's kind is needed, and a bad config fails early.
  auto set = config::resolve(cfg);
  if (!set.ok()) return set.err();
  auto sets = runtime::load_datasets(cfg.data, set->data, cfg.run.seed);
  if (!sets.ok()) return sets.err();
  return spawn_training_group(sys, cfg,
                              std::make_shared<const data::dataset>(std::move(sets->train)),
                              std::make_shared<const data::dataset>(std::move(sets->test)));
}

}  // namespace sgp::actors
