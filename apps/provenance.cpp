// Implementation of the run directory's provenance (see provenance.hpp).
#include "apps/provenance.hpp"

#include <unistd.h>

#include <array>
#include <ctime>
#include <filesystem>

#include "apps/version.hpp"
#include "config/describe.hpp"
#include "core/json.hpp"
#include "core/text_file.hpp"

namespace sgp::apps {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::string host_name() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

std::string json_strings(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += core::json_quote(values[i]);
  }
  return out + "]";
}

}  // namespace

std::string provenance_json(const invocation& inv, const std::string& start_time) {
  std::error_code ec;
  const auto cwd = std::filesystem::current_path(ec);
  return core::json_object()
      .add("program", "sgp")
      .add("version", version)
      .add("commit", git_commit)
      .add("start_time", start_time)
      .add("host", host_name())
      .add("cwd", ec ? std::string() : cwd.string())
      .add_raw("command_line", json_strings(inv.argv))
      .add("config_file", inv.config_path)
      .add_raw("overrides", json_strings(inv.overrides))
      .add("resumed_from", inv.resume)
      .str();
}

core::status write_provenance(const config::config& cfg, const invocation& inv) {
  std::string run_json = cfg.run.dir + "/run.json";
  std::string config_toml = cfg.run.dir + "/config.toml";
  if (!inv.resume.empty()) {
    std::error_code ec;
    for (int k = 1;; ++k) {
      run_json = cfg.run.dir + "/run-resume-" + std::to_string(k) + ".json";
      if (!std::filesystem::exists(run_json, ec)) break;
    }
    config_toml = run_json.substr(0, run_json.size() - 5);
    config_toml.replace(config_toml.rfind("/run-"), 5, "/config-");
    config_toml += ".toml";
  }
  if (auto st = core::write_file_atomically(run_json, provenance_json(inv, utc_now())); !st.ok()) {
    return st;
  }
  return core::write_file_atomically(config_toml, "# The resolved configuration of this run (sgp " +
                                                      std::string(version) + ", commit " +
                                                      git_commit + ")\n" + config::to_toml(cfg));
}

}  // namespace sgp::apps
