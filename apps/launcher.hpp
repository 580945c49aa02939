// The process starter behind `sgp launch`: starts several programs, prefixes
// each line of their output with the child's name, forwards the signals that
// end a run, and waits for all of them. Pure POSIX (fork, execv, pipes, poll).
#pragma once

#include <string>
#include <vector>

namespace sgp::apps {

/// One program to start. `argv[0]` is the program's path (no PATH search).
struct child_spec {
  std::string name;  ///< the "[name] " prefix of its output lines
  std::vector<std::string> argv;
};

struct launch_result {
  int exit_code = 0;          ///< the first non-zero exit in time (128+S for signal S), else 0
  std::string first_failure;  ///< name of the first child that failed; empty if none
};

/// Starts every child (stdin from /dev/null, each in a process group of its
/// own so a terminal's Ctrl-C reaches them once, through us), forwards each
/// line of a child's stdout to our stdout and of its stderr to our stderr,
/// prefixed "[name] " and written whole (a partial last line is ended at
/// EOF), forwards SIGINT, SIGTERM and SIGHUP that this process receives to
/// every running child, and waits for all. Each exit is reported on stderr
/// as it happens ("launch: [name] exited with code N" / "killed by SIGKILL");
/// a program that cannot be started is reported with its path and counts as
/// exit code 127. When a child fails the others keep running, unless
/// `stop_on_failure`: then they get SIGTERM, and SIGKILL 5 s later.
/// Installs signal handlers for the duration of the call (not reentrant).
launch_result run_children(const std::vector<child_spec>& children, bool stop_on_failure = false);

}  // namespace sgp::apps
