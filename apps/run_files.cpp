// Implementation of the run directory files (see run_files.hpp).
#include "apps/run_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

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

core::status metrics_writer::open(const std::string& path) {
  out_.open(path, std::ios::app);
  if (!out_)
    return core::make_error(path + ": cannot open for writing (" + std::strerror(errno) + ")");
  return {};
}

void metrics_writer::write(const std::string& json_line) {
  out_ << json_line << '\n';
}

core::status write_file_atomically(const std::string& path, const std::string& json) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return core::make_error(tmp + ": cannot create (" + std::strerror(errno) + ")");
    out << json << '\n';
    if (!out.flush()) return core::make_error(tmp + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return core::make_error(path + ": rename failed (" + std::strerror(errno) + ")");
  }
  return {};
}

}  // namespace sgp::apps
