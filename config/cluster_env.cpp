// process_set_from_environment, expand_nodelist, describe (see cluster_env.hpp).
#include "config/cluster_env.hpp"

#include <charconv>
#include <cstdint>
#include <utility>

namespace sgp::config {
namespace {

constexpr std::size_t max_hosts = 65536;

/// `NAME="value": what`: the variable and its value, quoted so that an
/// empty one shows.
core::error bad(const char* name, std::string_view value, const std::string& what) {
  return core::error{std::string(name) + "=\"" + std::string(value) + "\": " + what};
}

/// A decimal integer in [lo, hi], the whole text.
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

/// The variable `name` as an int in [lo, hi]; `fallback` when it is not set.
core::result<int> read_int(const env_getter& get, const char* name, int lo, int hi, int fallback,
                           const std::string& range_text) {
  const char* value = get(name);
  if (value == nullptr) return fallback;
  auto v = parse_int(value, lo, hi);
  if (!v) return bad(name, value, "must be an integer " + range_text);
  return static_cast<int>(*v);
}

bool is_host_char(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
         ch == '-' || ch == '.' || ch == '_';
}

/// The numbers of a bracket's body ("01-03,7") as text, zero-padded to the
/// width of each range's first number, as SLURM writes them.
core::status expand_ranges(std::string_view body, std::vector<std::string>& out) {
  if (body.empty()) return core::error{"empty brackets"};
  while (true) {
    const auto comma = body.find(',');
    const std::string_view range = body.substr(0, comma);
    const auto dash = range.find('-');
    const std::string_view lo_text = range.substr(0, dash);
    const std::string_view hi_text =
        dash == std::string_view::npos ? lo_text : range.substr(dash + 1);
    constexpr std::int64_t max_number = 999999999;
    const auto lo = parse_int(lo_text, 0, max_number);
    const auto hi = parse_int(hi_text, 0, max_number);
    if (!lo || !hi) {
      return core::error{"bad range \"" + std::string(range) + "\" (want N or N-M)"};
    }
    if (*hi < *lo) return core::error{"range " + std::string(range) + " runs backwards"};
    if (static_cast<std::uint64_t>(*hi - *lo) + out.size() >= max_hosts) {
      return core::error{"more than " + std::to_string(max_hosts) + " hosts"};
    }
    for (std::int64_t v = *lo; v <= *hi; ++v) {
      std::string digits = std::to_string(v);
      if (digits.size() < lo_text.size()) digits.insert(0, lo_text.size() - digits.size(), '0');
      out.push_back(std::move(digits));
    }
    if (comma == std::string_view::npos) return {};
    body = body.substr(comma + 1);
  }
}

/// Expands one host pattern ("rack[1-2]-gpu[3-4]") onto `out`.
core::status expand_item(std::string_view item, std::vector<std::string>& out) {
  if (item.empty()) return core::error{"empty host name"};
  std::vector<std::string> names{""};
  std::size_t i = 0;
  while (i < item.size()) {
    const char ch = item[i];
    if (ch == '[') {
      const auto close = item.find(']', i);
      if (close == std::string_view::npos) return core::error{"'[' without ']'"};
      const std::string_view body = item.substr(i + 1, close - i - 1);
      if (body.find('[') != std::string_view::npos) return core::error{"nested '['"};
      std::vector<std::string> numbers;
      if (auto st = expand_ranges(body, numbers); !st.ok()) return st;
      if (names.size() * numbers.size() + out.size() > max_hosts) {
        return core::error{"more than " + std::to_string(max_hosts) + " hosts"};
      }
      std::vector<std::string> next;
      for (const auto& name : names) {
        for (const auto& n : numbers) next.push_back(name + n);
      }
      names = std::move(next);
      i = close + 1;
    } else if (ch == ']') {
      return core::error{"']' without '['"};
    } else if (!is_host_char(ch)) {
      return core::error{"unexpected character '" + std::string(1, ch) + "'"};
    } else {
      for (auto& name : names) name += ch;
      ++i;
    }
  }
  for (auto& name : names) out.push_back(std::move(name));
  return {};
}

/// Reads one launcher's variables; `rank_var` and `size_var` are set.
core::result<env_process_set> read_set(const env_getter& get, std::string source,
                                       const char* rank_var, const char* size_var,
                                       const char* local_var) {
  env_process_set set;
  set.source = std::move(source);
  constexpr int max_int = 0x7fffffff;
  auto size = read_int(get, size_var, 1, max_int, 1, ">= 1");
  if (!size.ok()) return size.err();
  set.world_size = *size;
  const std::string below = "in [0, " + std::to_string(set.world_size) + ") (" + size_var + " is " +
                            std::to_string(set.world_size) + ")";
  auto rank = read_int(get, rank_var, 0, set.world_size - 1, 0, below);
  if (!rank.ok()) return rank.err();
  set.rank = *rank;
  auto local = read_int(get, local_var, 0, set.world_size - 1, 0, below);
  if (!local.ok()) return local.err();
  set.local_rank = *local;
  return set;
}

}  // namespace

core::result<std::vector<std::string>> expand_nodelist(std::string_view nodelist) {
  if (nodelist.empty()) return core::error{"empty node list"};
  std::vector<std::string> hosts;
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= nodelist.size(); ++i) {
    if (i < nodelist.size() && nodelist[i] == '[') ++depth;
    if (i < nodelist.size() && nodelist[i] == ']') depth = depth > 0 ? depth - 1 : 0;
    if (i == nodelist.size() || (nodelist[i] == ',' && depth == 0)) {
      if (auto st = expand_item(nodelist.substr(start, i - start), hosts); !st.ok()) {
        return st.err();
      }
      start = i + 1;
    }
  }
  return hosts;
}

core::result<std::optional<env_process_set>> process_set_from_environment(const env_getter& get) {
  const auto both = [&](const char* a, const char* b) {
    return get(a) != nullptr && get(b) != nullptr;
  };
  if (both("RANK", "WORLD_SIZE")) {
    auto set = read_set(get, "torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK");
    if (!set.ok()) return set.err();
    if (const char* addr = get("MASTER_ADDR")) set->master_host = addr;
    auto port = read_int(get, "MASTER_PORT", 1, 65535, 0, "in [1, 65535]");
    if (!port.ok()) return port.err();
    set->master_port = *port;
    return std::optional{std::move(*set)};
  }
  if (both("SLURM_PROCID", "SLURM_NTASKS")) {
    auto set = read_set(get, "slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID");
    if (!set.ok()) return set.err();
    for (const char* name : {"SLURM_JOB_NODELIST", "SLURM_NODELIST"}) {
      const char* list = get(name);
      if (list == nullptr) continue;
      auto hosts = expand_nodelist(list);
      if (!hosts.ok()) return bad(name, list, hosts.err().message);
      set->master_host = hosts->front();
      break;
    }
    return std::optional{std::move(*set)};
  }
  if (both("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE")) {
    auto set = read_set(get, "openmpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
                        "OMPI_COMM_WORLD_LOCAL_RANK");
    if (!set.ok()) return set.err();
    if (const char* addr = get("MASTER_ADDR")) set->master_host = addr;
    return std::optional{std::move(*set)};
  }
  return std::optional<env_process_set>{};
}

std::string describe(const env_process_set& set) {
  std::string line = "process set from " + set.source + ": rank " + std::to_string(set.rank) +
                     " of " + std::to_string(set.world_size) + " (local rank " +
                     std::to_string(set.local_rank) + ")";
  if (!set.master_host.empty()) {
    line += ", master " + set.master_host;
    if (set.master_port != 0) line += ":" + std::to_string(set.master_port);
  }
  return line;
}

}  // namespace sgp::config
