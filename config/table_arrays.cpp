// [[cluster.process]], [[network.link]] and [[faults]] readers (see table_arrays.hpp).
#include "config/table_arrays.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "config/names.hpp"

namespace sgp::config::detail {
namespace {

using namespace std::string_view_literals;

/// The keys each action takes besides at_iteration / at_seconds / action.
std::vector<std::string_view> fields_of(std::string_view action) {
  if (action == "link_down" || action == "link_up") return {"from", "to", "symmetric"};
  if (action == "link_set") {
    return {"from", "to", "symmetric", "bandwidth", "latency", "jitter", "loss"};
  }
  if (action == "slow") return {"node", "factor"};
  if (action == "kill" || action == "revive") return {"node"};
  if (action == "partition") return {"groups"};
  return {};  // heal
}

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out.empty() ? "nothing" : out;
}

core::status require(const toml_reader& r, const scope& s, std::string_view key,
                     std::string_view why) {
  if (s.find(key) != nullptr) return {};
  return r.error_at(s.table.source(), s.key_path(key), "missing (" + std::string(why) + ")");
}

core::status read_link_pair(const toml_reader& r, const scope& s, int nodes, int& from, int& to) {
  SGP_CONFIG_TRY(require(r, s, "from", "a node id"));
  SGP_CONFIG_TRY(require(r, s, "to", "a node id"));
  SGP_CONFIG_TRY(r.read(s, "from", from, half_open(0, nodes)));
  SGP_CONFIG_TRY(r.read(s, "to", to, half_open(0, nodes)));
  if (from == to) {
    return r.error_at(s.find("to")->source(), s.key_path("to"),
                      "must differ from 'from' (" + std::to_string(from) + ")");
  }
  return {};
}

bool is_process_name(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

core::status read_process(const toml_reader& r, const scope& s, cluster_section::process_entry& p) {
  SGP_CONFIG_TRY(r.check_keys(s, "cluster.process"));
  SGP_CONFIG_TRY(require(r, s, "name", "a unique name of letters, digits, '_', '.', '-'"));
  SGP_CONFIG_TRY(require(r, s, "host", "the hostname or IP address it listens on"));
  SGP_CONFIG_TRY(require(r, s, "port", "the port it listens on, 1 to 65535"));
  SGP_CONFIG_TRY(r.read(s, "name", p.name));
  if (!is_process_name(p.name)) {
    return r.error_at(s.find("name")->source(), s.key_path("name"),
                      "must be letters, digits, '_', '.' or '-', got \"" + p.name + "\"");
  }
  SGP_CONFIG_TRY(r.read(s, "host", p.host));
  if (p.host.empty() || p.host.find_first_of(" \t/") != std::string::npos) {
    return r.error_at(s.find("host")->source(), s.key_path("host"),
                      "must be a hostname or IP address, got \"" + p.host + "\"");
  }
  SGP_CONFIG_TRY(r.read(s, "port", p.port, closed(1, 65535)));
  SGP_CONFIG_TRY(r.read(s, "nodes", p.nodes, closed(1, max_nodes)));
  if (s.find("devices") != nullptr) {
    SGP_CONFIG_TRY(r.read(s, "devices", p.devices, closed(0, 1023)));
    // Nodes go round the listed GPUs (node k of the process on
    // devices[k % count]); without nodes, one node per GPU.
    const int count = static_cast<int>(p.devices.size());
    if (s.find("nodes") == nullptr) {
      p.nodes = count;
    } else if (p.nodes < count) {
      return r.error_at(s.find("nodes")->source(), s.key_path("nodes"),
                        "is " + std::to_string(p.nodes) + " but devices lists " +
                            std::to_string(count) +
                            " GPUs (every GPU listed needs a node: list fewer GPUs)");
    }
  }
  return {};
}

core::status read_fault(const toml_reader& r, const scope& s, int nodes, fault_section& f) {
  SGP_CONFIG_TRY(r.check_keys(s, "faults"));

  const bool has_iteration = s.find("at_iteration") != nullptr;
  const bool has_seconds = s.find("at_seconds") != nullptr;
  if (!has_iteration && !has_seconds) {
    return r.error_at(s.table.source(), s.path, "needs at_iteration or at_seconds");
  }
  if (has_iteration && has_seconds) {
    return r.error_at(s.find("at_seconds")->source(), s.key_path("at_seconds"),
                      "give at_iteration or at_seconds, not both");
  }
  SGP_CONFIG_TRY(r.read(s, "at_iteration", f.at_iteration, at_least(0)));
  SGP_CONFIG_TRY(r.read(s, "at_seconds", f.at_seconds, at_least(0)));

  SGP_CONFIG_TRY(require(r, s, "action", "one of " + name_list<fault_action>()));
  SGP_CONFIG_TRY(r.read_enum(s, "action", f.action, names_of<fault_action>()));

  const auto fields = fields_of(f.action);
  for (auto&& [k, v] : s.table) {
    const std::string_view key = k.str();
    if (key == "at_iteration" || key == "at_seconds" || key == "action") continue;
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      return r.error_at(k.source(), s.key_path(key),
                        "not used by action \"" + f.action + "\" (it takes " + join(fields) + ")");
    }
  }

  if (f.action.starts_with("link_")) {
    SGP_CONFIG_TRY(read_link_pair(r, s, nodes, f.from, f.to));
    SGP_CONFIG_TRY(r.read(s, "symmetric", f.symmetric));
  }
  if (f.action == "link_set") {
    SGP_CONFIG_TRY(r.read_bandwidth(s, "bandwidth", f.bandwidth));
    SGP_CONFIG_TRY(r.read_duration(s, "latency", f.latency));
    SGP_CONFIG_TRY(r.read_duration(s, "jitter", f.jitter));
    SGP_CONFIG_TRY(r.read(s, "loss", f.loss, closed(0, 1)));
    if (f.bandwidth.empty() && f.latency.empty() && f.jitter.empty() && !f.loss) {
      return r.error_at(s.table.source(), s.path,
                        "link_set needs at least one of bandwidth, latency, jitter, loss");
    }
  }
  if (f.action == "slow" || f.action == "kill" || f.action == "revive") {
    SGP_CONFIG_TRY(require(r, s, "node", "a node id"));
    SGP_CONFIG_TRY(r.read(s, "node", f.node, half_open(0, nodes)));
  }
  if (f.action == "slow") {
    SGP_CONFIG_TRY(require(r, s, "factor", "how many times slower, >= 1"));
    SGP_CONFIG_TRY(r.read(s, "factor", f.factor, at_least(1)));
  }
  if (f.action == "partition") {
    SGP_CONFIG_TRY(require(r, s, "groups", "e.g. [[0, 1], [2, 3]]"));
    SGP_CONFIG_TRY(r.read(s, "groups", f.groups, half_open(0, nodes)));
    const toml::node& groups = *s.find("groups");
    if (f.groups.size() < 2) {
      return r.error_at(groups.source(), s.key_path("groups"),
                        "needs at least 2 groups, got " + std::to_string(f.groups.size()));
    }
    std::set<int> seen;
    for (std::size_t i = 0; i < f.groups.size(); ++i) {
      const std::string path = s.key_path("groups") + "[" + std::to_string(i) + "]";
      const toml::node& group = *groups.as_array()->get(i);
      if (f.groups[i].empty()) return r.error_at(group.source(), path, "must not be empty");
      for (int id : f.groups[i]) {
        if (!seen.insert(id).second) {
          return r.error_at(group.source(), path,
                            "node " + std::to_string(id) + " is in more than one group");
        }
      }
    }
  }
  return {};
}

}  // namespace

core::status read_processes(const toml_reader& r, const scope& cluster,
                            std::vector<cluster_section::process_entry>& out) {
  auto processes = r.table_array(cluster, "process");
  if (!processes.ok()) return processes.err();
  if (*processes == nullptr) return {};
  out.clear();
  for (std::size_t i = 0; i < (*processes)->size(); ++i) {
    const scope s{*(*processes)->get(i)->as_table(),
                  cluster.key_path("process") + "[" + std::to_string(i) + "]"};
    cluster_section::process_entry p;
    SGP_CONFIG_TRY(read_process(r, s, p));
    for (std::size_t j = 0; j < out.size(); ++j) {
      const std::string other = cluster.key_path("process") + "[" + std::to_string(j) + "]";
      if (out[j].name == p.name) {
        return r.error_at(s.find("name")->source(), s.key_path("name"),
                          "duplicate name \"" + p.name + "\" (also " + other + ".name)");
      }
      if (out[j].host == p.host && out[j].port == p.port) {
        return r.error_at(
            s.find("port")->source(), s.key_path("port"),
            "duplicate address " + p.host + ":" + std::to_string(p.port) + " (also " + other + ")");
      }
    }
    out.push_back(std::move(p));
  }
  return {};
}

core::status read_links(const toml_reader& r, const scope& network, int nodes,
                        std::vector<link_section>& out) {
  auto links = r.table_array(network, "link");
  if (!links.ok()) return links.err();
  if (*links == nullptr) return {};
  out.clear();
  for (std::size_t i = 0; i < (*links)->size(); ++i) {
    const scope s{*(*links)->get(i)->as_table(),
                  network.key_path("link") + "[" + std::to_string(i) + "]"};
    link_section link;
    SGP_CONFIG_TRY(r.check_keys(s, "network.link"));
    SGP_CONFIG_TRY(read_link_pair(r, s, nodes, link.from, link.to));
    SGP_CONFIG_TRY(r.read(s, "symmetric", link.symmetric));
    SGP_CONFIG_TRY(r.read_bandwidth(s, "bandwidth", link.bandwidth));
    SGP_CONFIG_TRY(r.read_duration(s, "latency", link.latency));
    SGP_CONFIG_TRY(r.read_duration(s, "jitter", link.jitter));
    SGP_CONFIG_TRY(r.read(s, "loss", link.loss, closed(0, 1)));
    out.push_back(std::move(link));
  }
  return {};
}

core::status read_faults(const toml_reader& r, const scope& root, int nodes,
                         std::vector<fault_section>& out) {
  auto faults = r.table_array(root, "faults");
  if (!faults.ok()) return faults.err();
  if (*faults == nullptr) return {};
  out.clear();
  for (std::size_t i = 0; i < (*faults)->size(); ++i) {
    const scope s{*(*faults)->get(i)->as_table(), "faults[" + std::to_string(i) + "]"};
    fault_section fault;
    SGP_CONFIG_TRY(read_fault(r, s, nodes, fault));
    out.push_back(std::move(fault));
  }
  return {};
}

}  // namespace sgp::config::detail
