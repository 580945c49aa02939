// settings_text / settings_hash / first_difference (see settings_text.hpp).
// The text is built from to_toml (describe.cpp), which renders every key
// already: each `key = value` line gets its table's path in front.
#include "config/settings_text.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>
#include <vector>

#include "config/describe.hpp"

namespace sgp::config {
namespace {

using namespace std::string_view_literals;

/// Settings one process may hold differently from its peers:
/// - cluster.secret: a secret is never hashed into something that is logged
///   and sent (to_toml leaves it out already; listed so the rule is written
///   down), and processes may take it from SGP_CLUSTER_SECRET instead;
/// - run.resume_from: each process reads its own copy of the checkpoint
///   (not a TOML key, so to_toml never writes it);
/// - run.dir: a local path; processes on different machines (or sharing a
///   file system) write their own run directory;
/// - output.progress: only the process at a terminal shows the live line;
/// - output.http, output.http_secret: one process serves the status page
///   (to_toml leaves both out);
/// - cluster.actor_threads, cluster.actor_polling: a host's share of its own
///   cores and how its idle threads wait.
/// Kept, though local: the data paths (a different path most often means
/// different data, which the processes must not train on unknowingly).
constexpr std::array per_process_keys = {
    "cluster.secret"sv,        "run.resume_from"sv,      "run.dir"sv,
    "output.progress"sv,       "output.http"sv,          "output.http_secret"sv,
    "cluster.actor_threads"sv, "cluster.actor_polling"sv};

/// The lines of `text` that are `key = value`, by key.
std::map<std::string, std::string> key_values(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const auto eq = line.find(" = ");
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(line.substr(0, eq)), std::string(line.substr(eq + 3)));
  }
  return out;
}

}  // namespace

std::string settings_text(const config& cfg) {
  // to_toml writes "[table]" and "[[array]]" headers, then "key = value"
  // lines; values never span lines (strings are quoted with escapes).
  std::vector<std::pair<std::string, std::string>> lines;  // (key, value)
  std::map<std::string, int> array_counts;                 // entries seen per [[array]]
  std::string prefix;
  const std::string toml = to_toml(cfg);
  std::string_view rest = toml;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (line.starts_with("[[")) {
      const std::string name(line.substr(2, line.size() - 4));
      prefix = name + "[" + std::to_string(array_counts[name]++) + "].";
    } else if (line.starts_with("[")) {
      prefix = std::string(line.substr(1, line.size() - 2)) + ".";
    } else if (const auto eq = line.find(" = "); eq != std::string_view::npos) {
      std::string key = prefix + std::string(line.substr(0, eq));
      if (std::find(per_process_keys.begin(), per_process_keys.end(), key) !=
          per_process_keys.end()) {
        continue;
      }
      lines.emplace_back(std::move(key), std::string(line.substr(eq + 3)));
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& [key, value] : lines) out += key + " = " + value + "\n";
  return out;
}

std::uint64_t settings_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const char ch : text) {
    h ^= static_cast<unsigned char>(ch);
    h *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  return h;
}

std::string first_difference(std::string_view a, std::string_view b) {
  const auto left = key_values(a);
  const auto right = key_values(b);
  auto i = left.begin();
  auto j = right.begin();
  while (i != left.end() || j != right.end()) {
    if (j == right.end() || (i != left.end() && i->first < j->first)) return i->first;
    if (i == left.end() || j->first < i->first) return j->first;
    if (i->second != j->second) return i->first;
    ++i;
    ++j;
  }
  return {};
}

}  // namespace sgp::config
