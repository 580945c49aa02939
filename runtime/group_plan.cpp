// The configuration as a group's parts (see group_plan.hpp).
#include "runtime/group_plan.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include "config/lr_schedule_of.hpp"

namespace sgp::runtime {
namespace {

net::link_properties link_properties_of(const config::link_settings& l) {
  net::link_properties p;
  p.bandwidth_bits_per_second = l.bandwidth_bits_per_second;
  p.latency_seconds = l.latency_seconds;
  p.jitter_seconds = l.jitter_seconds;
  p.loss = l.loss;
  return p;
}

core::command command_of(const config::fault_section& f, const config::fault_settings& typed) {
  using config::fault_action;
  static const std::pair<fault_action, core::command_kind> kinds[] = {
      {fault_action::link_down, core::command_kind::link_down},
      {fault_action::link_up, core::command_kind::link_up},
      {fault_action::link_set, core::command_kind::link_set},
      {fault_action::slow, core::command_kind::slow},
      {fault_action::kill, core::command_kind::kill},
      {fault_action::revive, core::command_kind::revive},
      {fault_action::partition, core::command_kind::partition},
      {fault_action::heal, core::command_kind::heal}};
  core::command c;
  for (const auto& [action, kind] : kinds) {
    if (typed.action == action) c.kind = kind;
  }
  c.from = f.from;
  c.to = f.to;
  c.symmetric = f.symmetric;
  c.node = f.node;
  c.factor = f.factor;
  c.bandwidth_bits_per_second = typed.bandwidth_bits_per_second;
  c.latency_seconds = typed.latency_seconds;
  c.jitter_seconds = typed.jitter_seconds;
  c.loss = f.loss;
  c.groups = f.groups;
  return c;
}

}  // namespace

net::link_emulator configured_links(const config::config& cfg, const config::settings& set) {
  net::link_emulator links(cfg.cluster.nodes, link_properties_of(set.network.defaults),
                           cfg.run.seed);
  links.set_shared_egress(cfg.network.shared_egress);
  links.set_frame_overhead(cfg.network.frame_overhead);
  for (const auto& l : set.network.links) {
    const auto p = link_properties_of(l.link);
    links.set_link(l.from, l.to, p);
    if (l.symmetric) links.set_link(l.to, l.from, p);
  }
  return links;
}

net::link_emulator cluster_links(const config::config& cfg, const config::settings& set) {
  if (cfg.network.given) return configured_links(cfg, set);
  // Bandwidth 0 is infinite; no latency, jitter or loss.
  return net::link_emulator(cfg.cluster.nodes, net::link_properties{0.0, 0.0, 0.0, 0.0},
                            cfg.run.seed);
}

core::group_identity group_identity_of(const config::config& cfg, std::size_t nodes,
                                       std::size_t parameters) {
  return {static_cast<int>(nodes), cfg.algorithm.name, cfg.model.name, cfg.run.seed,
          cfg.data.batch_size,     parameters};
}

core::gossip_options gossip_options_of(const config::config& cfg, const config::settings& set) {
  using config::algorithm_kind;
  core::gossip_options o;
  const auto& a = set.algorithm;
  o.schedule.kind =
      a.name == algorithm_kind::d_psgd ? core::topology_kind::bipartite_exponential : a.topology;
  o.schedule.peers_per_iteration = static_cast<std::size_t>(cfg.algorithm.peers_per_iteration);
  o.mode =
      a.name == algorithm_kind::osgp ? core::gossip_mode::overlapped : core::gossip_mode::blocking;
  o.overlap = a.osgp_variant == config::osgp_variant::reference ? core::overlap_variant::reference
                                                                : core::overlap_variant::bounded;
  o.tau = static_cast<std::uint64_t>(cfg.algorithm.tau);
  // AllReduce averages gradients in its own actor: no push-sum gossip.
  o.communicate = a.name != algorithm_kind::none && a.name != algorithm_kind::ar_sgd;
  // AllReduce keeps stepping in z space: its replicas stay equal when a
  // revived node holds part of the weight (w is 1 otherwise, where x = z).
  o.space = !o.communicate                                 ? core::step_space::z
            : a.step_space == config::step_space::x        ? core::step_space::x
            : a.step_space == config::step_space::balanced ? core::step_space::balanced
                                                           : core::step_space::z;
  o.bf16_shares = a.compression == config::compression::bf16;
  o.self_weight = cfg.algorithm.self_weight;
  return o;
}

void set_overlap_start(core::gossip_options& o, const config::config& cfg, std::int64_t per_epoch) {
  o.blocking_until = static_cast<std::uint64_t>(
      std::llround(cfg.algorithm.overlap_from_epoch * static_cast<double>(per_epoch)));
}

compute_setup compute_setup_of(const config::config& cfg, const config::settings& set,
                               std::size_t n) {
  compute_setup c;
  // gpu/'s factory takes the backend's and the model's names.
  c.backend = std::string(config::to_string(set.backend.name));
  // Nodes share the cores: each computes on one thread, the scheduler runs
  // as many nodes at once as there are cores.
  c.threads = cfg.backend.threads > 0 ? cfg.backend.threads : (n > 1 ? 1 : 0);
  c.model = std::string(config::to_string(set.model));
  c.reproducible_convolutions = set.backend.conv_search == config::conv_search::reproducible;
  c.batch_size = cfg.data.batch_size;
  c.nodes = static_cast<int>(n);
  c.seed = cfg.run.seed;
  c.sgd = {static_cast<float>(cfg.optimizer.momentum), cfg.optimizer.nesterov,
           static_cast<float>(cfg.optimizer.weight_decay),
           set.weight_decay_scope == config::weight_decay_scope::all};
  c.lr = config::lr_schedule_of(cfg, set);
  return c;
}

std::vector<scripted_fault> scripted_faults(const config::config& cfg,
                                            const config::settings& set) {
  std::vector<scripted_fault> out;
  for (std::size_t i = 0; i < cfg.faults.size() && i < set.faults.size(); ++i) {
    const auto& f = cfg.faults[i];
    out.push_back({f.at_iteration, f.at_seconds, command_of(f, set.faults[i]), false});
  }
  return out;
}

faults_at_resume settle_faults_before(std::vector<scripted_fault>& faults, std::uint64_t cut,
                                      bool every_kind, double seconds) {
  faults_at_resume out;
  for (auto& f : faults) {
    const bool by_iteration =
        f.at_iteration >= 0 && static_cast<std::uint64_t>(f.at_iteration) <= cut;
    const bool by_time = f.at_seconds >= 0.0 && seconds >= 0.0 && f.at_seconds <= seconds;
    if (f.fired || !(by_iteration || by_time)) continue;
    char when[64];
    if (by_iteration) {
      std::snprintf(when, sizeof(when), " at iteration %lld",
                    static_cast<long long>(f.at_iteration));
    } else {
      std::snprintf(when, sizeof(when), " at %g s", f.at_seconds);
    }
    auto line = core::command_line(f.command) + when;
    const bool settle = every_kind || f.command.kind == core::command_kind::kill ||
                        f.command.kind == core::command_kind::revive;
    if (settle) f.fired = true;
    (settle ? out.settled : out.replayed).push_back(std::move(line));
  }
  return out;
}

std::vector<std::string> resume_fault_lines(const faults_at_resume& f, const std::string& where) {
  const auto joined = [](const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
    return out;
  };
  const auto before = "[[faults]] up to " + where;
  std::vector<std::string> out;
  if (!f.settled.empty()) {
    out.push_back(before + " happened already and do not run again: " + joined(f.settled));
  }
  if (!f.replayed.empty()) {
    out.push_back(
        before + " fire again before the first step (a checkpoint holds no link state or speed): " +
        joined(f.replayed));
  }
  return out;
}

}  // namespace sgp::runtime
