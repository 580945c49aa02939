// Runs the built `sgp` binary as a child process and captures its output,
// for whole-run tests of the command line.
#pragma once

#include <sys/wait.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace sgp::test {

struct process_result {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
  [[nodiscard]] std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
};

/// Runs a shell command line and captures its output and exit code.
inline process_result run_shell(const std::string& cmd) {
  process_result r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) r.output += buf;
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string sgp_binary() {
  return std::string(SGP_BINARY_DIR) + "/apps/sgp";
}

/// Runs `sgp ARGS` (ARGS already shell-quoted where needed).
inline process_result run_sgp(const std::string& args) {
  return run_shell(sgp_binary() + " " + args + " 2>&1");
}

/// Runs `sgp ARGS` with the output of the shell commands `input` on its
/// standard input (e.g. "sleep 1; echo status").
inline process_result run_sgp_with_input(const std::string& args, const std::string& input) {
  return run_shell("(" + input + ") | " + sgp_binary() + " " + args + " 2>&1");
}

/// A fresh directory under the system temp folder.
inline std::string fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("sgp_it_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The number after `"key":` in a one-line JSON document, or NaN.
inline double json_number_field(const std::string& json, const std::string& key) {
  const std::regex re("\"" + key + "\":(-?[0-9.eE+-]+)");
  std::smatch m;
  if (!std::regex_search(json, m, re)) return std::numeric_limits<double>::quiet_NaN();
  return std::stod(m[1].str());
}

}  // namespace sgp::test
