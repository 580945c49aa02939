// Implementation of the process starter (see launcher.hpp). One thread: a
// poll loop over a self-pipe (signals) and every child's stdout and stderr.
// Lines are assembled here and each batch of whole lines goes out in one
// write, so output of different children never mixes within a line.
#include "apps/launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

namespace sgp::apps {
namespace {

/// A line longer than this is written in pieces (a child that never ends a line).
constexpr std::size_t max_line_bytes = 64 * 1024;
constexpr auto kill_grace = std::chrono::seconds(5);
constexpr int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP};

/// The write end of the self-pipe; the signal handler's only state.
int signal_pipe_write = -1;

extern "C" void on_signal(int sig) {
  const int saved = errno;
  const auto byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] const auto n = ::write(signal_pipe_write, &byte, 1);
  errno = saved;
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const auto n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // our own output is gone (EPIPE): nothing better to do
    }
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

void report(const std::string& text) {
  write_all(STDERR_FILENO, "launch: " + text + "\n");
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

/// One output stream of a child: the pipe's read end and the unfinished line.
struct stream {
  int fd = -1;
  int to = -1;  ///< where its lines go (our stdout or stderr)
  std::string partial;
};

struct child {
  const child_spec* spec = nullptr;
  std::string prefix;
  pid_t pid = -1;
  bool done = false;  ///< reaped, or never started
  stream out;
  stream err;
};

/// Writes the whole lines of `s` (and, at EOF, the rest ended by a newline).
void emit_lines(stream& s, const std::string& prefix, bool at_eof) {
  std::string batch;
  std::size_t start = 0;
  for (auto nl = s.partial.find('\n'); nl != std::string::npos; nl = s.partial.find('\n', start)) {
    batch += prefix;
    batch.append(s.partial, start, nl + 1 - start);
    start = nl + 1;
  }
  s.partial.erase(0, start);
  if ((at_eof && !s.partial.empty()) || s.partial.size() >= max_line_bytes) {
    batch += prefix + s.partial + '\n';
    s.partial.clear();
  }
  if (!batch.empty()) write_all(s.to, batch);
}

/// Reads once (or until the pipe is empty, within bounds: a grandchild may
/// write forever); closes the stream at EOF.
void drain(stream& s, const std::string& prefix, bool until_empty) {
  char buf[16384];
  for (int reads = 0; s.fd >= 0 && reads < 256; ++reads) {
    const auto n = ::read(s.fd, buf, sizeof(buf));
    if (n > 0) {
      s.partial.append(buf, static_cast<std::size_t>(n));
      emit_lines(s, prefix, false);
      if (!until_empty) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    emit_lines(s, prefix, true);  // EOF (or a read error: the same for us)
    ::close(s.fd);
    s.fd = -1;
  }
}

/// Starts `c` with its stdout and stderr on fresh pipes; an error text on failure.
std::string start(child& c, int dev_null) {
  const auto& argv = c.spec->argv;
  if (argv.empty()) return "no program given";
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  int exec_status[2] = {-1, -1};  // the child writes errno here when execv fails
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(exec_status, O_CLOEXEC) != 0) {
    const std::string why = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {out[0], out[1], err[0], err[1], exec_status[0], exec_status[1]}) {
      if (fd >= 0) ::close(fd);
    }
    return why;
  }
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t launcher = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE}) ::sigaction(sig, &dfl, nullptr);
    ::setpgid(0, 0);
    // A launcher that dies (SIGKILL, the OOM killer) takes its children
    // with it: none trains on headless, holding its port and GPU, until
    // its next line of output meets the closed pipe.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != launcher) ::_exit(126);  // it died before the line above
    if (::dup2(dev_null, STDIN_FILENO) >= 0 && ::dup2(out[1], STDOUT_FILENO) >= 0 &&
        ::dup2(err[1], STDERR_FILENO) >= 0) {
      ::execv(args[0], args.data());
    }
    const int e = errno;
    [[maybe_unused]] const auto n = ::write(exec_status[1], &e, sizeof(e));
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(out[1]);
  ::close(err[1]);
  ::close(exec_status[1]);
  std::string why;
  if (pid < 0) {
    why = std::string("fork: ") + std::strerror(fork_errno);
  } else {
    ::setpgid(pid, pid);  // also here: a signal forwarded right away must find the group
    int e = 0;
    ssize_t n = 0;
    do {
      n = ::read(exec_status[0], &e, sizeof(e));  // EOF: execv succeeded
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof(e))) {
      why = std::strerror(e);
      int ignored = 0;
      while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
      }
    }
  }
  ::close(exec_status[0]);
  if (!why.empty()) {
    ::close(out[0]);
    ::close(err[0]);
    return why;
  }
  c.pid = pid;
  c.out.fd = out[0];
  c.err.fd = err[0];
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  return {};
}

void signal_running(std::vector<child>& children, int sig) {
  for (auto& c : children) {
    if (c.done) continue;
    if (::kill(-c.pid, sig) != 0) ::kill(c.pid, sig);
  }
}

/// Installs the handlers for the duration of a run and restores the old ones.
class signal_scope {
 public:
  signal_scope() {
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return;
    signal_pipe_write = pipe_[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < std::size(forwarded_signals); ++i) {
      ::sigaction(forwarded_signals[i], &sa, &old_[i]);
    }
    ::sigaction(SIGCHLD, &sa, &old_chld_);  // wakes the poll loop
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old_pipe_);  // a closed stdout must not kill the launcher
  }
  ~signal_scope() {
    if (pipe_[0] < 0) return;
    for (std::size_t i = 0; i < std::size(forwarded_signals); ++i) {
      ::sigaction(forwarded_signals[i], &old_[i], nullptr);
    }
    ::sigaction(SIGCHLD, &old_chld_, nullptr);
    ::sigaction(SIGPIPE, &old_pipe_, nullptr);
    signal_pipe_write = -1;
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
  signal_scope(const signal_scope&) = delete;
  signal_scope& operator=(const signal_scope&) = delete;

  [[nodiscard]] int read_fd() const { return pipe_[0]; }

 private:
  int pipe_[2] = {-1, -1};
  struct sigaction old_[std::size(forwarded_signals)]{};
  struct sigaction old_chld_ {};
  struct sigaction old_pipe_ {};
};

}  // namespace

launch_result run_children(const std::vector<child_spec>& specs, bool stop_on_failure) {
  launch_result result;
  signal_scope signals;
  const int dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<child> children(specs.size());
  bool stopping = false;
  std::chrono::steady_clock::time_point kill_at{};

  auto finished = [&](child& c, int code) {
    c.done = true;
    if (code == 0 || !result.first_failure.empty()) return;
    result.exit_code = code;
    result.first_failure = c.spec->name;
    if (stop_on_failure && !stopping) {
      stopping = true;
      kill_at = std::chrono::steady_clock::now() + kill_grace;
      report("stopping the others: [" + c.spec->name + "] failed");
      signal_running(children, SIGTERM);
    }
  };

  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto& c = children[i];
    c.spec = &specs[i];
    c.prefix = "[" + specs[i].name + "] ";
    c.out.to = STDOUT_FILENO;
    c.err.to = STDERR_FILENO;
    if (stopping) {
      c.done = true;
      report(c.prefix + "not started: stopping after a failure");
      continue;
    }
    const auto why = start(c, dev_null);
    if (!why.empty()) {
      const std::string program = specs[i].argv.empty() ? "" : " " + specs[i].argv[0];
      report("[" + specs[i].name + "] cannot start" + program + ": " + why);
      finished(c, 127);
    }
  }

  std::vector<pollfd> fds;
  std::vector<std::pair<stream*, const std::string*>> streams;  // [k]: fds[k + 1], prefix
  for (;;) {
    bool running = false;
    for (auto& c : children) running = running || !c.done;
    if (!running) break;

    fds.assign(1, pollfd{signals.read_fd(), POLLIN, 0});
    streams.clear();
    for (auto& c : children) {
      for (stream* s : {&c.out, &c.err}) {
        if (s->fd < 0) continue;
        fds.push_back(pollfd{s->fd, POLLIN, 0});
        streams.emplace_back(s, &c.prefix);
      }
    }
    // The timeout is a safety net: SIGCHLD wakes the loop through the self-pipe.
    ::poll(fds.data(), fds.size(), 200);

    if (fds[0].revents != 0) {
      unsigned char sigs[64];
      const auto n = ::read(fds[0].fd, sigs, sizeof(sigs));
      for (ssize_t k = 0; k < n; ++k) {
        if (sigs[k] != SIGCHLD) signal_running(children, sigs[k]);
      }
    }
    for (std::size_t k = 0; k < streams.size(); ++k) {
      if (fds[k + 1].revents != 0) drain(*streams[k].first, *streams[k].second, false);
    }
    for (auto& c : children) {
      if (c.done) continue;
      int wstatus = 0;
      if (::waitpid(c.pid, &wstatus, WNOHANG) != c.pid) continue;
      // What it wrote before exiting is in the pipes: out before the exit line.
      drain(c.out, c.prefix, true);
      drain(c.err, c.prefix, true);
      int code = 0;
      if (WIFSIGNALED(wstatus)) {
        code = 128 + WTERMSIG(wstatus);
        report(c.prefix + "killed by " + signal_name(WTERMSIG(wstatus)));
      } else {
        code = WEXITSTATUS(wstatus);
        report(c.prefix + "exited with code " + std::to_string(code));
      }
      finished(c, code);
    }
    if (stopping && std::chrono::steady_clock::now() >= kill_at) {
      signal_running(children, SIGKILL);
      kill_at = std::chrono::steady_clock::time_point::max();
    }
  }

  // Every child is reaped; what their own children still hold open is let go.
  for (auto& c : children) {
    for (stream* s : {&c.out, &c.err}) {
      drain(*s, c.prefix, true);
      emit_lines(*s, c.prefix, true);
      if (s->fd >= 0) ::close(s->fd);
      s->fd = -1;
    }
  }
  if (dev_null >= 0) ::close(dev_null);
  return result;
}

}  // namespace sgp::apps
