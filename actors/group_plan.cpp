// The configuration as a group's parts (see group_plan.hpp).
#include "actors/group_plan.hpp"

#include "config/lr_schedule_of.hpp"
#include "core/units.hpp"

namespace sgp::actors {
namespace {

net::link_properties link_properties_of(const std::string& bw, const std::string& lat,
                                        const std::string& jitter, double loss) {
  net::link_properties p;
  p.bandwidth_bits_per_second = core::parse_bandwidth_bits_per_second(bw).value();
  p.latency_seconds = core::parse_duration_seconds(lat).value();
  p.jitter_seconds = core::parse_duration_seconds(jitter).value();
  p.loss = loss;
  return p;
}

}  // namespace

net::link_emulator configured_links(const config::config& cfg) {
  const auto& net = cfg.network;
  net::link_emulator links(cfg.cluster.nodes,
                           link_properties_of(net.bandwidth, net.latency, net.jitter, net.loss),
                           cfg.run.seed);
  for (const auto& l : net.links) {
    const auto p =
        link_properties_of(l.bandwidth.empty() ? net.bandwidth : l.bandwidth,
                           l.latency.empty() ? net.latency : l.latency,
                           l.jitter.empty() ? net.jitter : l.jitter, l.loss.value_or(net.loss));
    links.set_link(l.from, l.to, p);
    if (l.symmetric) links.set_link(l.to, l.from, p);
  }
  return links;
}

core::gossip_options gossip_options_of(const config::config& cfg) {
  core::gossip_options o;
  const auto& a = cfg.algorithm;
  o.schedule.kind = a.name == "d-psgd" ? core::topology_kind::bipartite_exponential
                                       : core::parse_topology(a.topology).value();
  o.schedule.peers_per_iteration = static_cast<std::size_t>(a.peers_per_iteration);
  o.mode = a.name == "osgp" ? core::gossip_mode::overlapped : core::gossip_mode::blocking;
  o.overlap = a.osgp_variant == "reference" ? core::overlap_variant::reference
                                            : core::overlap_variant::bounded;
  o.tau = static_cast<std::uint64_t>(a.tau);
  // AllReduce averages gradients in its own actor: no push-sum gossip.
  o.communicate = a.name != "none" && a.name != "ar-sgd";
  // AllReduce keeps stepping in z space: its replicas stay equal when a
  // revived node holds part of the weight (w is 1 otherwise, where x = z).
  o.space = a.step_space == "x" && o.communicate ? core::step_space::x : core::step_space::z;
  o.bf16_shares = a.compression == "bf16";
  return o;
}

compute_setup compute_setup_of(const config::config& cfg, std::size_t n) {
  compute_setup c;
  c.backend = cfg.backend.name;
  // Nodes share the cores: each computes on one thread, the scheduler runs
  // as many nodes at once as there are cores.
  c.threads = cfg.backend.threads > 0 ? cfg.backend.threads : (n > 1 ? 1 : 0);
  c.model = cfg.model.name;
  c.batch_size = cfg.data.batch_size;
  c.nodes = static_cast<int>(n);
  c.seed = cfg.run.seed;
  c.sgd = {static_cast<float>(cfg.optimizer.momentum), cfg.optimizer.nesterov,
           static_cast<float>(cfg.optimizer.weight_decay),
           cfg.optimizer.weight_decay_scope == "all"};
  c.lr = config::lr_schedule_of(cfg);
  return c;
}

}  // namespace sgp::actors
