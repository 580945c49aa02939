// A child process that runs while the test talks to it (the status page's
// server): output goes to a file the test can wait on; the destructor ends
// the whole process group, so a failing test leaves nothing running.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/sgp_process.hpp"

namespace sgp::test {

class background_process {
 public:
  /// Starts `argv` with stdout and stderr into `log_path`.
  background_process(const std::vector<std::string>& argv, std::string log_path)
      : log_(std::move(log_path)) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      std::FILE* out = std::freopen(log_.c_str(), "w", stdout);
      if (out == nullptr || ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) ::_exit(127);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);
  }
  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  ~background_process() {
    if (pid_ <= 0 || exited_) return;
    ::kill(-pid_, SIGTERM);
    if (!poll_exit(std::chrono::seconds(3))) {
      ::kill(-pid_, SIGKILL);
      (void)poll_exit(std::chrono::seconds(10));
    }
  }

  [[nodiscard]] std::string output() const { return read_text(log_); }

  /// Waits until the output matches `pattern`; the first group, or nothing.
  std::optional<std::string> wait_for(const std::string& pattern, std::chrono::seconds limit) {
    const std::regex re(pattern);
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      const auto text = output();
      std::smatch m;
      if (std::regex_search(text, m, re)) return m.size() > 1 ? m[1].str() : m[0].str();
      if (exited()) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::nullopt;
  }

  /// True once the process has ended (its exit code is then in exit_code()).
  bool exited() {
    if (exited_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return exited_;
  }

  /// Waits up to `limit` for the process to end. When it does not, the
  /// end of its log goes to stderr (ctest shows it with the failure: a
  /// process that hangs is then seen where it stopped).
  bool wait_exit(std::chrono::seconds limit) {
    if (poll_exit(limit)) return true;
    const auto text = output();
    std::size_t from = text.size();
    for (int lines = 0; lines < 40 && from > 0; ++lines) {
      const auto at = text.rfind('\n', from - 1);
      from = at == std::string::npos ? 0 : at;
    }
    std::fprintf(stderr, "--- %s: still running after %lld s; the end of its log:\n%s\n---\n",
                 log_.c_str(), static_cast<long long>(limit.count()), text.substr(from).c_str());
    return false;
  }

  [[nodiscard]] int exit_code() const { return exit_code_; }

  /// Sends `sig` to the whole process group (SIGKILL: a crash).
  void send_signal(int sig) const {
    if (pid_ > 0) ::kill(-pid_, sig);
  }

 private:
  bool poll_exit(std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (exited()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return exited();
  }

  std::string log_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace sgp::test
