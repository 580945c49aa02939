// Rendering of the status page's snapshot (see cluster_status.hpp).
#include "core/cluster_status.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/json.hpp"

namespace sgp::core {
namespace {

std::string json_node(const node_status& n) {
  std::string peers = "[";
  for (const auto p : n.out_peers) {
    if (peers.size() > 1) peers += ',';
    peers += std::to_string(p);
  }
  peers += ']';
  return json_object()
      .add("id", n.id)
      .add("state", n.state)
      .add("incarnation", static_cast<std::int64_t>(n.incarnation))
      .add("iteration", static_cast<std::int64_t>(n.iteration))
      .add("lag", static_cast<std::int64_t>(n.lag))
      .add("loss", n.loss)
      .add("w", n.w)
      .add("comm_wait", n.comm_wait)
      .add("compute_seconds", n.compute_seconds)
      .add("iterations_per_second", n.iterations_per_second)
      .add("messages_late", static_cast<std::int64_t>(n.messages_late))
      .add("messages_lost", static_cast<std::int64_t>(n.messages_lost))
      .add("messages_duplicate", static_cast<std::int64_t>(n.messages_duplicate))
      .add("straggler", n.straggler)
      .add("straggler_reason", n.straggler_reason)
      .add("host", n.host)
      .add("process", n.process)
      .add("device", n.device)
      .add_raw("out_peers", peers)
      .str();
}

std::string json_edge(const edge_status& e) {
  return json_object()
      .add("from", static_cast<std::int64_t>(e.from))
      .add("to", static_cast<std::int64_t>(e.to))
      .add("up", e.up)
      .add("in_topology", e.in_topology)
      .add("active", e.active)
      .add("bytes", static_cast<std::int64_t>(e.bytes))
      .add("messages", static_cast<std::int64_t>(e.messages))
      .add("bytes_per_second", e.bytes_per_second)
      .add("messages_per_second", e.messages_per_second)
      .str();
}

template <class T, class F>
std::string json_array(const std::vector<T>& items, F render) {
  std::string out = "[";
  for (const auto& x : items) {
    if (out.size() > 1) out += ',';
    out += render(x);
  }
  return out + ']';
}

/// A Prometheus sample value (NaN for non-finite, as the format spells it).
std::string sample(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

/// Writes "# HELP" and "# TYPE" once, then one line per sample.
class metric_family {
 public:
  metric_family(std::ostringstream& out, const char* name, const char* type, const char* help)
      : out_(out), name_(name) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  void add(const std::string& labels, double value) {
    out_ << name_;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << sample(value) << '\n';
  }

 private:
  std::ostringstream& out_;
  const char* name_;
};

std::string node_label(const node_status& n) {
  return "node=\"" + std::to_string(n.id) + "\"";
}

std::string edge_label(const edge_status& e) {
  return "from=\"" + std::to_string(e.from) + "\",to=\"" + std::to_string(e.to) + "\"";
}

}  // namespace

std::string to_json(const cluster_status& s) {
  const auto history = json_array(s.history, [](const history_point& h) {
    return json_object()
        .add("time", h.time)
        .add("loss", h.loss)
        .add("consensus_distance", h.consensus_distance)
        .str();
  });
  return json_object()
      .add("algorithm", s.algorithm)
      .add("topology", s.topology)
      .add("time", s.time)
      .add("iteration", static_cast<std::int64_t>(s.iteration))
      .add("total_iterations", static_cast<std::int64_t>(s.total_iterations))
      .add("view_epoch", static_cast<std::int64_t>(s.view_epoch))
      .add("live_nodes", static_cast<std::int64_t>(s.live_nodes))
      .add("connected", s.connected)
      .add("finishing", s.finishing)
      .add("consensus_distance", s.consensus_distance)
      .add("window_seconds", s.window_seconds)
      .add_raw("nodes", json_array(s.nodes, json_node))
      .add_raw("edges", json_array(s.edges, json_edge))
      .add_raw("history", history)
      .str();
}

std::string to_prometheus(const cluster_status& s) {
  std::ostringstream out;
  {
    metric_family f(out, "sgp_live_nodes", "gauge", "Nodes that are live.");
    f.add("", static_cast<double>(s.live_nodes));
  }
  {
    metric_family f(out, "sgp_iteration", "gauge", "Iterations completed by the fastest node.");
    f.add("", static_cast<double>(s.iteration));
  }
  if (!std::isnan(s.consensus_distance)) {
    metric_family f(out, "sgp_consensus_distance", "gauge",
                    "max_i |z_i - mean z| / |mean z| at the last measurement.");
    f.add("", s.consensus_distance);
  }
  {
    metric_family f(out, "sgp_node_live", "gauge", "1 when the node is live, 0 when dead.");
    for (const auto& n : s.nodes) f.add(node_label(n), n.state == "dead" ? 0.0 : 1.0);
  }
  // Per-node values of nodes that have reported.
  auto per_node = [&](const char* name, const char* type, const char* help, auto value) {
    metric_family f(out, name, type, help);
    for (const auto& n : s.nodes) {
      if (n.state != "dead" && n.state != "starting") f.add(node_label(n), value(n));
    }
  };
  per_node("sgp_node_iteration", "gauge", "Iterations the node has completed.",
           [](const node_status& n) { return static_cast<double>(n.iteration); });
  per_node("sgp_node_loss", "gauge", "Training loss of the node's last step.",
           [](const node_status& n) { return n.loss; });
  per_node("sgp_node_w", "gauge", "Push-sum weight of the node.",
           [](const node_status& n) { return n.w; });
  per_node("sgp_node_comm_wait_seconds", "gauge",
           "Seconds the node's last iteration waited for its in-neighbours.",
           [](const node_status& n) { return n.comm_wait; });
  per_node("sgp_node_messages_late_total", "counter", "Waits that timed out.",
           [](const node_status& n) { return static_cast<double>(n.messages_late); });
  per_node("sgp_node_messages_lost_total", "counter", "Pushes the links dropped.",
           [](const node_status& n) { return static_cast<double>(n.messages_lost); });
  per_node("sgp_node_messages_duplicate_total", "counter", "Pushes received twice or overtaken.",
           [](const node_status& n) { return static_cast<double>(n.messages_duplicate); });
  {
    metric_family f(out, "sgp_edge_bytes_total", "counter", "Payload bytes pushed over the link.");
    for (const auto& e : s.edges) f.add(edge_label(e), static_cast<double>(e.bytes));
  }
  {
    metric_family f(out, "sgp_edge_messages_total", "counter", "Pushes over the link.");
    for (const auto& e : s.edges) f.add(edge_label(e), static_cast<double>(e.messages));
  }
  {
    metric_family f(out, "sgp_edge_up", "gauge", "1 when the link is up.");
    for (const auto& e : s.edges) f.add(edge_label(e), e.up ? 1.0 : 0.0);
  }
  return out.str();
}

namespace {

/// The median of the values `pick` gives for training nodes (0 with fewer than 3).
template <class F>
double training_median(const cluster_status& s, F pick) {
  std::vector<double> v;
  for (const auto& n : s.nodes) {
    if (n.state == "train" && pick(n) > 0.0) v.push_back(pick(n));
  }
  if (v.size() < 3) return 0.0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

void mark_stragglers(cluster_status& s, std::uint64_t max_lag) {
  const double rate =
      training_median(s, [](const node_status& n) { return n.iterations_per_second; });
  const double compute = training_median(s, [](const node_status& n) { return n.compute_seconds; });
  for (auto& n : s.nodes) {
    n.straggler = false;
    n.straggler_reason.clear();
    if (n.state != "train") continue;
    char buf[96] = "";
    if (n.lag > max_lag) {
      std::snprintf(buf, sizeof(buf), "%llu iterations behind",
                    static_cast<unsigned long long>(n.lag));
    } else if (rate > 0.0 && n.iterations_per_second < 0.5 * rate) {
      std::snprintf(buf, sizeof(buf), "%.3g it/s, median %.3g it/s", n.iterations_per_second, rate);
    } else if (compute > 0.0 && n.compute_seconds > 2.0 * compute) {
      std::snprintf(buf, sizeof(buf), "step %.3g ms, median %.3g ms", n.compute_seconds * 1e3,
                    compute * 1e3);
    }
    n.straggler = buf[0] != '\0';
    n.straggler_reason = buf;
  }
}

}  // namespace sgp::core
