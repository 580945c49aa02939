// Implementation of the logging facade (see log.hpp).
#include "core/log.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <utility>

namespace sgp::core {
namespace {

std::atomic<int>& threshold() {
  static std::atomic<int> value{static_cast<int>(log_level::info)};
  return value;
}

/// The sink and the process name, behind the one mutex that serialises lines.
struct log_state {
  std::mutex mutex;
  log_sink sink;
  std::string process;
};

log_state& state() {
  static log_state s;
  return s;
}

void append_context(std::string& out, const log_context& c, std::string_view process) {
  std::string ctx;
  auto add = [&ctx](std::string_view part) {
    if (!ctx.empty()) ctx += ' ';
    ctx += part;
  };
  if (!process.empty()) add("process " + std::string(process));
  if (c.node >= 0) add("node " + std::to_string(c.node));
  if (c.iteration >= 0) add("it " + std::to_string(c.iteration));
  if (ctx.empty()) return;
  out += '[';
  out += ctx;
  out += "] ";
}

}  // namespace

std::string_view log_level_name(log_level level) {
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

std::optional<log_level> parse_log_level(std::string_view name) {
  for (const auto level : {log_level::debug, log_level::info, log_level::warn, log_level::error}) {
    if (name == log_level_name(level)) return level;
  }
  return std::nullopt;
}

log_level log_threshold() {
  return static_cast<log_level>(threshold().load());
}

void set_log_threshold(log_level level) {
  threshold().store(static_cast<int>(level));
}

bool log_enabled(log_level level) {
  return static_cast<int>(level) >= threshold().load();
}

void set_log_process(std::string name) {
  auto& s = state();
  const std::lock_guard lock(s.mutex);
  s.process = std::move(name);
}

log_sink set_log_sink(log_sink sink) {
  auto& s = state();
  const std::lock_guard lock(s.mutex);
  return std::exchange(s.sink, std::move(sink));
}

std::string format_log_line(log_level level, std::string_view subsystem, std::string_view message,
                            const log_context& context, std::string_view process_default) {
  std::string line;
  append_context(line, context, context.process.empty() ? process_default : context.process);
  if (level != log_level::info) {
    line += log_level_name(level);
    line += ": ";
  }
  if (!subsystem.empty()) {
    line += subsystem;
    line += ": ";
  }
  line += message;
  return line;
}

void log(log_level level, std::string_view subsystem, std::string_view message,
         const log_context& context) {
  if (!log_enabled(level)) return;
  auto& s = state();
  const std::lock_guard lock(s.mutex);
  const std::string line = format_log_line(level, subsystem, message, context, s.process);
  if (s.sink) {
    s.sink(line);
    return;
  }
  // One fwrite of the whole line: stderr is unbuffered, and the mutex keeps
  // this process's other log lines out of it.
  const std::string whole = line + '\n';
  std::fwrite(whole.data(), 1, whole.size(), stderr);
}

void logf(log_level level, std::string_view subsystem, const log_context& context,
          const char* format, ...) {
  if (!log_enabled(level)) return;
  std::va_list args;
  va_start(args, format);
  std::va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string text(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(text.data(), text.size() + 1, format, args);
  va_end(args);
  log(level, subsystem, text, context);
}

}  // namespace sgp::core
