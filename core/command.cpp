// Implementation of console command parsing (see command.hpp).
#include "core/command.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "core/units.hpp"

namespace sgp::core {
namespace {

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

result<int> parse_node(const std::string& text, int nodes) {
  int value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error("'" + text + "' is not a node id");
  }
  if (value < 0 || value >= nodes) {
    return make_error("node " + text + " does not exist (nodes are 0.." +
                      std::to_string(nodes - 1) + ")");
  }
  return value;
}

result<double> parse_number(const std::string& text) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error("'" + text + "' is not a number");
  }
  if (!std::isfinite(value)) return make_error("'" + text + "' is not a finite number");
  return value;
}

/// "link down|up|set A B [key=value...] [oneway]".
result<command> parse_link(const std::vector<std::string>& w, int nodes) {
  if (w.size() < 4) return make_error("usage: link down|up|set A B [oneway]");
  command c;
  if (w[1] == "down") {
    c.kind = command_kind::link_down;
  } else if (w[1] == "up") {
    c.kind = command_kind::link_up;
  } else if (w[1] == "set") {
    c.kind = command_kind::link_set;
  } else {
    return make_error("'link " + w[1] + "': expected link down, link up or link set");
  }
  auto from = parse_node(w[2], nodes);
  if (!from.ok()) return from.err();
  auto to = parse_node(w[3], nodes);
  if (!to.ok()) return to.err();
  if (*from == *to) return make_error("a link joins two different nodes");
  c.from = *from;
  c.to = *to;
  for (std::size_t i = 4; i < w.size(); ++i) {
    if (w[i] == "oneway") {
      c.symmetric = false;
      continue;
    }
    const auto eq = w[i].find('=');
    if (c.kind != command_kind::link_set || eq == std::string::npos) {
      return make_error("unexpected '" + w[i] + "'");
    }
    const std::string key = w[i].substr(0, eq);
    const std::string value = w[i].substr(eq + 1);
    if (key == "bw" || key == "bandwidth") {
      auto v = parse_bandwidth_bits_per_second(value);
      if (!v.ok()) return v.err().with_context(key);
      c.bandwidth_bits_per_second = *v;
    } else if (key == "lat" || key == "latency") {
      auto v = parse_duration_seconds(value);
      if (!v.ok()) return v.err().with_context(key);
      c.latency_seconds = *v;
    } else if (key == "jitter") {
      auto v = parse_duration_seconds(value);
      if (!v.ok()) return v.err().with_context(key);
      c.jitter_seconds = *v;
    } else if (key == "loss") {
      auto v = parse_number(value);
      if (!v.ok()) return v.err().with_context(key);
      if (*v < 0.0 || *v > 1.0) return make_error("loss must be in [0, 1]");
      c.loss = *v;
    } else {
      return make_error("unknown link setting '" + key + "' (bw, lat, jitter, loss)");
    }
  }
  if (c.kind == command_kind::link_set && !c.bandwidth_bits_per_second && !c.latency_seconds &&
      !c.jitter_seconds && !c.loss) {
    return make_error("link set needs at least one of bw=, lat=, jitter=, loss=");
  }
  return c;
}

/// "partition 0,1 | 2,3" (ids separated by commas or spaces, groups by '|').
result<command> parse_partition(std::string_view rest, int nodes) {
  command c;
  c.kind = command_kind::partition;
  std::set<int> seen;
  std::string text(rest);
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto bar = text.find('|', start);
    std::string group_text = text.substr(start, bar == std::string::npos ? bar : bar - start);
    for (auto& ch : group_text) {
      if (ch == ',') ch = ' ';
    }
    std::vector<int> group;
    for (const auto& word : split_words(group_text)) {
      auto id = parse_node(word, nodes);
      if (!id.ok()) return id.err();
      if (!seen.insert(*id).second) return make_error("node " + word + " is in two groups");
      group.push_back(*id);
    }
    if (group.empty()) return make_error("usage: partition A,B | C,D (no empty groups)");
    c.groups.push_back(group);
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (c.groups.size() < 2) return make_error("usage: partition A,B | C,D (at least two groups)");
  return c;
}

std::string node_range(int nodes) {
  return "(nodes are 0.." + std::to_string(nodes - 1) + ")";
}

status check_node(int id, int nodes) {
  if (id < 0 || id >= nodes) {
    return make_error("node " + std::to_string(id) + " does not exist " + node_range(nodes));
  }
  return {};
}

}  // namespace

status check_command(const command& c, int nodes) {
  const std::string name = command_name(c.kind);
  switch (c.kind) {
    case command_kind::link_down:
    case command_kind::link_up:
    case command_kind::link_set: {
      if (auto st = check_node(c.from, nodes); !st.ok()) return st.err().with_context(name);
      if (auto st = check_node(c.to, nodes); !st.ok()) return st.err().with_context(name);
      if (c.from == c.to) return make_error(name + ": a link joins two different nodes");
      if (c.loss && !(*c.loss >= 0.0 && *c.loss <= 1.0)) {
        return make_error(name + ": loss must be in [0, 1]");
      }
      const auto bad = [](const std::optional<double>& v) {
        return v && !(std::isfinite(*v) && *v >= 0.0);
      };
      if (bad(c.bandwidth_bits_per_second) || bad(c.latency_seconds) || bad(c.jitter_seconds)) {
        return make_error(name + ": bandwidth, latency and jitter must be finite and >= 0");
      }
      if (c.kind == command_kind::link_set && !c.bandwidth_bits_per_second && !c.latency_seconds &&
          !c.jitter_seconds && !c.loss) {
        return make_error("link set needs at least one of bandwidth, latency, jitter, loss");
      }
      return {};
    }
    case command_kind::slow:
      if (auto st = check_node(c.node, nodes); !st.ok()) return st.err().with_context(name);
      if (!(std::isfinite(c.factor) && c.factor >= 1.0)) {
        return make_error("slow: the factor must be >= 1 (1x is normal speed)");
      }
      return {};
    case command_kind::kill:
    case command_kind::revive:
      if (auto st = check_node(c.node, nodes); !st.ok()) return st.err().with_context(name);
      return {};
    case command_kind::partition: {
      if (c.groups.size() < 2) return make_error("partition: at least two groups");
      std::set<int> seen;
      for (const auto& group : c.groups) {
        if (group.empty()) return make_error("partition: no empty groups");
        for (const int id : group) {
          if (auto st = check_node(id, nodes); !st.ok()) return st.err().with_context(name);
          if (!seen.insert(id).second) {
            return make_error("partition: node " + std::to_string(id) + " is in two groups");
          }
        }
      }
      return {};
    }
    default:
      return {};
  }
}

std::string command_name(command_kind kind) {
  switch (kind) {
    case command_kind::status:
      return "status";
    case command_kind::topology:
      return "topology";
    case command_kind::link_down:
      return "link down";
    case command_kind::link_up:
      return "link up";
    case command_kind::link_set:
      return "link set";
    case command_kind::slow:
      return "slow";
    case command_kind::kill:
      return "kill";
    case command_kind::revive:
      return "revive";
    case command_kind::partition:
      return "partition";
    case command_kind::heal:
      return "heal";
    case command_kind::checkpoint:
      return "checkpoint";
    case command_kind::stop:
      return "stop";
    case command_kind::help:
      return "help";
  }
  return "?";
}

std::string command_line(const command& c) {
  std::string out = command_name(c.kind);
  const auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", v);
    return std::string(buf);
  };
  switch (c.kind) {
    case command_kind::link_down:
    case command_kind::link_up:
    case command_kind::link_set:
      out.append(" ").append(std::to_string(c.from)).append(" ").append(std::to_string(c.to));
      if (c.bandwidth_bits_per_second) {
        const double bw = *c.bandwidth_bits_per_second;
        const char* unit = bw >= 1e9 ? "Gbit" : bw >= 1e6 ? "Mbit" : bw >= 1e3 ? "Kbit" : "bit";
        const double scale = bw >= 1e9 ? 1e9 : bw >= 1e6 ? 1e6 : bw >= 1e3 ? 1e3 : 1.0;
        out.append(" bw=").append(number(bw / scale)).append(unit);
      }
      if (c.latency_seconds) out.append(" lat=").append(number(*c.latency_seconds * 1e3)) += "ms";
      if (c.jitter_seconds) out.append(" jitter=").append(number(*c.jitter_seconds * 1e3)) += "ms";
      if (c.loss) out.append(" loss=").append(number(*c.loss));
      if (!c.symmetric) out += " oneway";
      break;
    case command_kind::slow:
      out.append(" ").append(std::to_string(c.node)).append(" ").append(number(c.factor)) += 'x';
      break;
    case command_kind::kill:
    case command_kind::revive:
      out.append(" ").append(std::to_string(c.node));
      break;
    case command_kind::partition:
      for (std::size_t g = 0; g < c.groups.size(); ++g) {
        out += g == 0 ? " " : " | ";
        for (std::size_t k = 0; k < c.groups[g].size(); ++k) {
          if (k > 0) out += ',';
          out += std::to_string(c.groups[g][k]);
        }
      }
      break;
    default:
      break;
  }
  return out;
}

std::string command_help() {
  return "status                          per-node iteration, loss, w, comm wait, late/lost, "
         "peers\n"
         "topology                        the current gossip graph\n"
         "link down A B [oneway]          take the link between A and B down\n"
         "link up A B [oneway]            bring it back\n"
         "link set A B bw=1Gbit lat=5ms jitter=1ms loss=0.01 [oneway]\n"
         "                                change a link's bandwidth, latency, jitter, loss\n"
         "slow N 3x                       node N computes 3 times slower (1x: normal)\n"
         "kill N                          node N dies; the others train on\n"
         "revive N                        node N rejoins with half of a live peer's state\n"
         "partition A,B | C,D             links between the groups go down\n"
         "heal                            end the partition\n"
         "checkpoint                      write every node's checkpoint now\n"
         "stop                            end the run now: evaluate and summarize\n"
         "help                            this text\n";
}

result<command> parse_command(std::string_view line, int nodes) {
  const auto w = split_words(line);
  if (w.empty()) return make_error("empty command (type 'help')");
  const std::string& verb = w[0];
  auto no_args = [&](command_kind kind) -> result<command> {
    if (w.size() != 1) return make_error("'" + verb + "' takes no arguments");
    command c;
    c.kind = kind;
    return c;
  };
  if (verb == "status") return no_args(command_kind::status);
  if (verb == "topology") return no_args(command_kind::topology);
  if (verb == "heal") return no_args(command_kind::heal);
  if (verb == "checkpoint") return no_args(command_kind::checkpoint);
  if (verb == "stop") return no_args(command_kind::stop);
  if (verb == "help") return no_args(command_kind::help);
  if (verb == "link") return parse_link(w, nodes);
  if (verb == "partition") return parse_partition(line.substr(line.find("partition") + 9), nodes);
  if (verb == "kill" || verb == "revive") {
    if (w.size() != 2) return make_error("usage: " + verb + " N");
    auto id = parse_node(w[1], nodes);
    if (!id.ok()) return id.err();
    command c;
    c.kind = verb == "kill" ? command_kind::kill : command_kind::revive;
    c.node = *id;
    return c;
  }
  if (verb == "slow") {
    if (w.size() != 3) return make_error("usage: slow N 3x");
    auto id = parse_node(w[1], nodes);
    if (!id.ok()) return id.err();
    std::string f = w[2];
    if (!f.empty() && (f.back() == 'x' || f.back() == 'X')) f.pop_back();
    auto factor = parse_number(f);
    if (!factor.ok()) return factor.err().with_context("slow");
    if (*factor < 1.0) return make_error("slow: the factor must be >= 1 (1x is normal speed)");
    command c;
    c.kind = command_kind::slow;
    c.node = *id;
    c.factor = *factor;
    return c;
  }
  return make_error("unknown command '" + verb + "' (type 'help')");
}

}  // namespace sgp::core
