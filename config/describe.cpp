// Implementation of to_toml (see describe.hpp).
#include "config/describe.hpp"

#include <charconv>
#include <sstream>
#include <type_traits>
#include <utility>

#include "core/json.hpp"

namespace sgp::config {
namespace {

/// TOML and JSON strings agree for what configs hold (escapes, quotes).
std::string str(const std::string& s) {
  return core::json_quote(s);
}

/// The shortest text that reads back to `v` exactly.
std::string num(double v) {
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  std::string s(buf, end);
  // A TOML float needs a point or an exponent (1 would read back as an integer).
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string boolean(bool b) {
  return b ? "true" : "false";
}

template <class T>
std::string list(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    if constexpr (std::is_floating_point_v<T>) {
      out += num(v[i]);
    } else {
      out += std::to_string(v[i]);
    }
  }
  return out + "]";
}

void write_fault(std::ostringstream& o, const fault_section& f) {
  o << "\n[[faults]]\n";
  if (f.at_iteration >= 0) o << "at_iteration = " << f.at_iteration << "\n";
  if (f.at_seconds >= 0.0) o << "at_seconds = " << num(f.at_seconds) << "\n";
  o << "action = " << str(f.action) << "\n";
  if (f.action.starts_with("link_")) {
    o << "from = " << f.from << "\nto = " << f.to << "\nsymmetric = " << boolean(f.symmetric)
      << "\n";
  }
  if (!f.bandwidth.empty()) o << "bandwidth = " << str(f.bandwidth) << "\n";
  if (!f.latency.empty()) o << "latency = " << str(f.latency) << "\n";
  if (!f.jitter.empty()) o << "jitter = " << str(f.jitter) << "\n";
  if (f.loss) o << "loss = " << num(*f.loss) << "\n";
  if (f.action == "slow" || f.action == "kill" || f.action == "revive") {
    o << "node = " << f.node << "\n";
  }
  if (f.action == "slow") o << "factor = " << num(f.factor) << "\n";
  if (f.action == "partition") {
    o << "groups = [";
    for (std::size_t i = 0; i < f.groups.size(); ++i) o << (i ? ", " : "") << list(f.groups[i]);
    o << "]\n";
  }
}

/// [cluster] and its [[cluster.process]] entries; cluster.secret is left out
/// (never written to files or logs).
void write_cluster(std::ostringstream& o, const cluster_section& c) {
  o << "\n[cluster]\nnodes = " << c.nodes << "\nheartbeat_timeout = " << str(c.heartbeat_timeout)
    << "\nprocess_timeout = " << str(c.process_timeout)
    << "\njoin_timeout = " << str(c.join_timeout) << "\nactor_threads = " << c.actor_threads
    << "\nactor_polling = " << str(c.actor_polling) << "\n";
  for (const auto& p : c.processes) {
    o << "\n[[cluster.process]]\nname = " << str(p.name) << "\nhost = " << str(p.host)
      << "\nport = " << p.port << "\nnodes = " << p.nodes << "\n";
    if (!p.devices.empty()) o << "devices = " << list(p.devices) << "\n";
  }
}

}  // namespace

std::string to_toml(const config& c) {
  std::ostringstream o;
  o << "[run]\nname = " << str(c.run.name) << "\ndir = " << str(c.run.dir)
    << "\nseed = " << c.run.seed << "\n";
  write_cluster(o, c.cluster);
  o << "\n[model]\nname = " << str(c.model.name) << "\n";
  const auto& d = c.data;
  o << "\n[data]\nname = " << str(d.name) << "\npath = " << str(d.path);
  for (const auto& [key, value] :
       {std::pair{"train_images", &d.train_images}, std::pair{"train_labels", &d.train_labels},
        std::pair{"test_images", &d.test_images}, std::pair{"test_labels", &d.test_labels}}) {
    if (!value->empty()) o << "\n" << key << " = " << str(*value);
  }
  o << "\nbatch_size = " << d.batch_size << "\neval_batch_size = " << d.eval_batch_size
    << "\nmax_train_samples = " << d.max_train_samples
    << "\nmax_test_samples = " << d.max_test_samples
    << "\nsynthetic_train_samples = " << d.synthetic_train_samples
    << "\nsynthetic_test_samples = " << d.synthetic_test_samples << "\nchannels = " << d.channels
    << "\nheight = " << d.height << "\nwidth = " << d.width << "\nclasses = " << d.classes << "\n";
  const auto& op = c.optimizer;
  o << "\n[optimizer]\nlr = " << num(op.lr) << "\nmomentum = " << num(op.momentum)
    << "\nnesterov = " << boolean(op.nesterov) << "\nweight_decay = " << num(op.weight_decay)
    << "\nweight_decay_scope = " << str(op.weight_decay_scope) << "\n";
  const auto& s = c.schedule;
  o << "\n[schedule]\nkind = " << str(s.kind) << "\nepochs = " << s.epochs
    << "\nmax_iterations = " << s.max_iterations << "\nwarmup_epochs = " << num(s.warmup_epochs)
    << "\nwarmup_start_factor = " << num(s.warmup_start_factor)
    << "\ndecay_epochs = " << list(s.decay_epochs) << "\ndecay_factor = " << num(s.decay_factor)
    << "\nscale_lr_by_nodes = " << boolean(s.scale_lr_by_nodes)
    << "\nreference_batch = " << s.reference_batch
    << "\nwarmup_from_base_lr = " << boolean(s.warmup_from_base_lr) << "\n";
  const auto& a = c.algorithm;
  o << "\n[algorithm]\nname = " << str(a.name) << "\ntopology = " << str(a.topology)
    << "\npeers_per_iteration = " << a.peers_per_iteration << "\ntau = " << a.tau
    << "\nosgp_variant = " << str(a.osgp_variant) << "\nstep_space = " << str(a.step_space)
    << "\nself_weight = " << num(a.self_weight) << "\ncompression = " << str(a.compression)
    << "\nwait_timeout = " << str(a.wait_timeout)
    << "\nresend_on_timeout = " << boolean(a.resend_on_timeout) << "\n";
  // Only with resends on: the loader refuses it otherwise.
  if (a.resend_on_timeout) o << "resend_attempts = " << a.resend_attempts << "\n";
  // Only where set: the settings refuse it but for bounded osgp.
  if (a.overlap_from_epoch != 0.0)
    o << "overlap_from_epoch = " << num(a.overlap_from_epoch) << "\n";
  const auto& b = c.backend;
  o << "\n[backend]\nname = " << str(b.name) << "\nthreads = " << b.threads
    << "\ncompute_threads = " << str(b.compute_threads) << "\nconv_search = " << str(b.conv_search)
    << "\ndevices = " << list(b.devices) << "\n";
  const auto& n = c.network;
  o << "\n[network]\nbandwidth = " << str(n.bandwidth) << "\nlatency = " << str(n.latency)
    << "\njitter = " << str(n.jitter) << "\nloss = " << num(n.loss)
    << "\nduplicate = " << num(n.duplicate)
    << "\nshared_egress = " << (n.shared_egress ? "true" : "false")
    << "\nframe_overhead = " << num(n.frame_overhead) << "\n";
  for (const auto& l : n.links) {
    o << "\n[[network.link]]\nfrom = " << l.from << "\nto = " << l.to
      << "\nsymmetric = " << boolean(l.symmetric) << "\n";
    if (!l.bandwidth.empty()) o << "bandwidth = " << str(l.bandwidth) << "\n";
    if (!l.latency.empty()) o << "latency = " << str(l.latency) << "\n";
    if (!l.jitter.empty()) o << "jitter = " << str(l.jitter) << "\n";
    if (l.loss) o << "loss = " << num(*l.loss) << "\n";
  }
  const auto& out = c.output;
  o << "\n[output]\ncheckpoint_every_epochs = " << out.checkpoint_every_epochs
    << "\nprogress = " << boolean(out.progress)
    << "\nprogress_every_iterations = " << out.progress_every_iterations
    << "\nconsensus_every_iterations = " << out.consensus_every_iterations
    << "\nsave_node_models = " << boolean(out.save_node_models) << "\n";
  for (const auto& f : c.faults) write_fault(o, f);
  return o.str();
}

}  // namespace sgp::config
