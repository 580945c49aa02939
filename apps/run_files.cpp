// Implementation of the run directory files (see run_files.hpp).
#include "apps/run_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/text_file.hpp"

namespace sgp::apps {

core::status make_run_dir(const run_paths& paths) {
  std::error_code ec;
  std::filesystem::create_directories(paths.checkpoint_dir(), ec);
  if (ec)
    return core::make_error(paths.dir + ": cannot create run directory (" + ec.message() + ")");
  return {};
}

std::string resolve_checkpoint(const std::string& resume) {
  std::error_code ec;
  if (std::filesystem::is_directory(resume, ec)) return run_paths{resume}.checkpoint();
  return resume;
}

run_dir_lock& run_dir_lock::operator=(run_dir_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

run_dir_lock::~run_dir_lock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

core::result<run_dir_lock> run_dir_lock::take(const run_paths& paths) {
  std::error_code ec;
  std::filesystem::create_directories(paths.dir, ec);
  if (ec) {
    return core::make_error(paths.dir + ": cannot create run directory (" + ec.message() + ")");
  }
  run_dir_lock lock;
  lock.fd_ = ::open(paths.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ < 0) {
    return core::make_error(paths.lock() + ": cannot create the run directory's lock (" +
                            std::strerror(errno) + ")");
  }
  if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return core::make_error(paths.dir + ": another run is using this run directory (it holds " +
                              paths.lock() + "): choose another run.dir");
    }
    return core::make_error(paths.lock() + ": cannot lock (" + std::strerror(errno) + ")");
  }
  return lock;
}

core::status prepare_run_dir(const run_paths& paths, bool resuming, bool overwrite) {
  if (resuming) return {};
  std::error_code ec;
  const bool has_metrics =
      std::filesystem::exists(std::filesystem::symlink_status(paths.metrics(), ec));
  const bool has_summary =
      std::filesystem::exists(std::filesystem::symlink_status(paths.summary(), ec));
  if (!has_metrics && !has_summary) return {};
  if (!overwrite) {
    return core::make_error(paths.dir + ": already holds a run (" +
                            (has_metrics ? "metrics.jsonl" : "summary.json") +
                            "): pass --overwrite to replace it, --resume to continue it, or "
                            "choose another run.dir");
  }
  // Replaced: no old summary can pass for this run's, no old line mixes in.
  if (has_summary && !std::filesystem::remove(paths.summary(), ec)) {
    return core::make_error(paths.summary() + ": cannot remove (" + ec.message() + ")");
  }
  // Nor an old model, or old provenance.
  for (const auto& entry : std::filesystem::directory_iterator(paths.dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool stale = name == "model.safetensors" || name == "run.json" || name == "config.toml" ||
                       name.rfind("model-node-", 0) == 0 || name.rfind("run-resume-", 0) == 0 ||
                       name.rfind("config-resume-", 0) == 0;
    std::error_code rm;
    if (stale && !std::filesystem::remove(entry.path(), rm) && rm) {
      return core::make_error(entry.path().string() + ": cannot remove (" + rm.message() + ")");
    }
  }
  if (has_metrics) {
    core::line_file metrics;
    if (auto st = metrics.open_truncate(paths.metrics()); !st.ok()) return st;
    if (auto st = metrics.close(); !st.ok()) return st;
  }
  return {};
}

}  // namespace sgp::apps
