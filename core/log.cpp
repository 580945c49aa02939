// Implementation of the logging facade (see log.hpp).
#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace sgp::core {
namespace {

log_level level_from_env() {
  const char* env = std::getenv("SGP_LOG");
  if (env == nullptr) return log_level::info;
  const std::string_view v(env);
  if (v == "debug") return log_level::debug;
  if (v == "warn") return log_level::warn;
  if (v == "error") return log_level::error;
  return log_level::info;
}

std::atomic<int>& threshold() {
  static std::atomic<int> value{static_cast<int>(level_from_env())};
  return value;
}

constexpr const char* level_name(log_level level) {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "?";
}

}  // namespace

log_level log_threshold() {
  return static_cast<log_level>(threshold().load());
}

void set_log_threshold(log_level level) {
  threshold().store(static_cast<int>(level));
}

void log(log_level level, std::string_view subsystem, std::string_view message, int node,
         long long iteration) {
  if (static_cast<int>(level) < threshold().load()) return;
  std::string line = "[";
  line += level_name(level);
  line += "] ";
  line += subsystem;
  if (node >= 0) line += " node " + std::to_string(node);
  if (iteration >= 0) line += " it " + std::to_string(iteration);
  line += ": ";
  line += message;
  line += '\n';
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  std::fputs(line.c_str(), stderr);
}

}  // namespace sgp::core
