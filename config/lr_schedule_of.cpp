// The learning-rate schedule of a config (see lr_schedule_of.hpp).
#include "config/lr_schedule_of.hpp"

namespace sgp::config {

core::lr_schedule lr_schedule_of(const config& cfg, const settings& set) {
  core::lr_schedule s;
  s.warmup_epochs = cfg.schedule.warmup_epochs;
  core::lr_recipe r;
  r.base_lr = cfg.optimizer.lr;
  r.by_nodes = cfg.schedule.scale_lr_by_nodes;
  r.nodes = cfg.cluster.nodes;
  r.batch = cfg.data.batch_size;
  r.reference_batch = cfg.schedule.reference_batch;
  r.warmup_from_base = cfg.schedule.warmup_from_base_lr;
  r.start_factor = cfg.schedule.warmup_start_factor;
  r.apply(s);
  s.kind = set.schedule;
  s.decay_epochs = cfg.schedule.decay_epochs;
  s.decay_factor = cfg.schedule.decay_factor;
  s.total_epochs = cfg.schedule.epochs;
  return s;
}

}  // namespace sgp::config
