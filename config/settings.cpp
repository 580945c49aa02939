// resolve(): a validated config's names and unit strings as typed values
// (see settings.hpp).
#include "config/settings.hpp"

#include <string>

#include "config/units.hpp"

namespace sgp::config {
namespace {

/// `out` = the value of kind E called `name`; the error is read_enum's text.
template <class E>
core::status name(std::string_view key, const std::string& value, E& out) {
  if (auto v = from_name<E>(value)) {
    out = *v;
    return {};
  }
  return core::make_error(std::string(key) + ": must be one of " + name_list<E>() + "; got \"" +
                          value + "\"");
}

core::status bandwidth(std::string_view key, const std::string& text, double& out) {
  auto bits = parse_bandwidth_bits_per_second(text);
  if (!bits.ok()) return bits.err().with_context(std::string(key));
  out = *bits;
  return {};
}

core::status duration(std::string_view key, const std::string& text, double& out) {
  auto secs = parse_duration_seconds(text);
  if (!secs.ok()) return secs.err().with_context(std::string(key));
  out = *secs;
  return {};
}

/// An optional override: empty text leaves `out` unset.
template <class Parse>
core::status optional_unit(Parse parse, std::string_view key, const std::string& text,
                           std::optional<double>& out) {
  if (text.empty()) return {};
  double v = 0.0;
  if (auto st = parse(key, text, v); !st.ok()) return st;
  out = v;
  return {};
}

#define SGP_RESOLVE_TRY(expr)                     \
  do {                                            \
    if (auto st_ = (expr); !st_.ok()) return st_; \
  } while (false)

core::status resolve_network(const config& cfg, network_settings& out) {
  const auto& n = cfg.network;
  SGP_RESOLVE_TRY(
      bandwidth("network.bandwidth", n.bandwidth, out.defaults.bandwidth_bits_per_second));
  SGP_RESOLVE_TRY(duration("network.latency", n.latency, out.defaults.latency_seconds));
  SGP_RESOLVE_TRY(duration("network.jitter", n.jitter, out.defaults.jitter_seconds));
  out.defaults.loss = n.loss;
  for (std::size_t i = 0; i < n.links.size(); ++i) {
    const auto& l = n.links[i];
    const std::string at = "network.link[" + std::to_string(i) + "].";
    link_entry_settings e{l.from, l.to, l.symmetric, out.defaults};
    if (!l.bandwidth.empty()) {
      SGP_RESOLVE_TRY(bandwidth(at + "bandwidth", l.bandwidth, e.link.bandwidth_bits_per_second));
    }
    if (!l.latency.empty())
      SGP_RESOLVE_TRY(duration(at + "latency", l.latency, e.link.latency_seconds));
    if (!l.jitter.empty())
      SGP_RESOLVE_TRY(duration(at + "jitter", l.jitter, e.link.jitter_seconds));
    e.link.loss = l.loss.value_or(n.loss);
    out.links.push_back(e);
  }
  return {};
}

core::status resolve_faults(const config& cfg, std::vector<fault_settings>& out) {
  for (std::size_t i = 0; i < cfg.faults.size(); ++i) {
    const auto& f = cfg.faults[i];
    const std::string at = "faults[" + std::to_string(i) + "].";
    fault_settings s;
    SGP_RESOLVE_TRY(name(at + "action", f.action, s.action));
    SGP_RESOLVE_TRY(
        optional_unit(bandwidth, at + "bandwidth", f.bandwidth, s.bandwidth_bits_per_second));
    SGP_RESOLVE_TRY(optional_unit(duration, at + "latency", f.latency, s.latency_seconds));
    SGP_RESOLVE_TRY(optional_unit(duration, at + "jitter", f.jitter, s.jitter_seconds));
    out.push_back(s);
  }
  return {};
}

core::status resolve_into(const config& cfg, settings& s) {
  SGP_RESOLVE_TRY(name("model.name", cfg.model.name, s.model));
  SGP_RESOLVE_TRY(name("data.name", cfg.data.name, s.data));
  SGP_RESOLVE_TRY(
      name("optimizer.weight_decay_scope", cfg.optimizer.weight_decay_scope, s.weight_decay_scope));
  SGP_RESOLVE_TRY(name("schedule.kind", cfg.schedule.kind, s.schedule));

  const auto& a = cfg.algorithm;
  auto& sa = s.algorithm;
  SGP_RESOLVE_TRY(name("algorithm.name", a.name, sa.name));
  SGP_RESOLVE_TRY(name("algorithm.topology", a.topology, sa.topology));
  SGP_RESOLVE_TRY(name("algorithm.osgp_variant", a.osgp_variant, sa.osgp_variant));
  SGP_RESOLVE_TRY(name("algorithm.step_space", a.step_space, sa.step_space));
  SGP_RESOLVE_TRY(name("algorithm.compression", a.compression, sa.compression));
  SGP_RESOLVE_TRY(duration("algorithm.wait_timeout", a.wait_timeout, sa.wait_timeout_seconds));
  if (a.self_weight != 0.0 &&
      (sa.name == algorithm_kind::ar_sgd || sa.name == algorithm_kind::none)) {
    return core::make_error(
        "algorithm.self_weight: applies to push-sum gossip (sgp, osgp, "
        "d-psgd); algorithm.name = \"" +
        a.name + "\" has no pushes");
  }
  if (a.overlap_from_epoch != 0.0 &&
      (sa.name != algorithm_kind::osgp || sa.osgp_variant != osgp_variant::bounded)) {
    return core::make_error(
        "algorithm.overlap_from_epoch: applies to osgp with osgp_variant = \"bounded\"; here " +
        (sa.name != algorithm_kind::osgp ? "algorithm.name = \"" + a.name + "\""
                                         : "algorithm.osgp_variant = \"" + a.osgp_variant + "\""));
  }

  SGP_RESOLVE_TRY(name("backend.name", cfg.backend.name, s.backend.name));
  SGP_RESOLVE_TRY(
      name("backend.compute_threads", cfg.backend.compute_threads, s.backend.compute_threads));
  SGP_RESOLVE_TRY(name("backend.conv_search", cfg.backend.conv_search, s.backend.conv_search));

  const auto& c = cfg.cluster;
  SGP_RESOLVE_TRY(duration("cluster.heartbeat_timeout", c.heartbeat_timeout,
                           s.cluster.heartbeat_timeout_seconds));
  SGP_RESOLVE_TRY(
      duration("cluster.process_timeout", c.process_timeout, s.cluster.process_timeout_seconds));
  SGP_RESOLVE_TRY(duration("cluster.join_timeout", c.join_timeout, s.cluster.join_timeout_seconds));
  SGP_RESOLVE_TRY(name("cluster.actor_polling", c.actor_polling, s.cluster.actor_polling));

  SGP_RESOLVE_TRY(resolve_network(cfg, s.network));
  return resolve_faults(cfg, s.faults);
}

#undef SGP_RESOLVE_TRY

}  // namespace

core::result<settings> resolve(const config& cfg) {
  settings s;
  if (auto st = resolve_into(cfg, s); !st.ok()) {
    return cfg.source.empty() ? st.err() : st.err().with_context(cfg.source);
  }
  return s;
}

}  // namespace sgp::config
