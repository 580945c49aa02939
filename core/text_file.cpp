// Implementation of checked text output (see text_file.hpp).
#include "core/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sgp::core {
namespace {

error io_error(const std::string& path, const char* what, int err) {
  return make_error(path + ": " + what + " (" + std::strerror(err) + ")");
}

}  // namespace

status line_file::open(const std::string& path, const char* mode) {
  path_ = path;
  error_.reset();
  file_.reset(std::fopen(path.c_str(), mode));
  if (!file_) return io_error(path, "cannot open for writing", errno);
  return {};
}

status line_file::failed(const char* what) {
  if (!error_) error_ = io_error(path_, what, errno);
  return *error_;
}

status line_file::open_append(const std::string& path) {
  // The last byte of a regular file that is not empty: a run cut short may
  // have left half a line.
  std::error_code ec;
  bool needs_newline = false;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) > 0 &&
      !ec) {
    std::unique_ptr<std::FILE, closer> in(std::fopen(path.c_str(), "rb"));
    if (in && std::fseek(in.get(), -1, SEEK_END) == 0) needs_newline = std::fgetc(in.get()) != '\n';
  }
  if (auto st = open(path, "a"); !st.ok()) return st;
  if (needs_newline && std::fputc('\n', file_.get()) == EOF) return failed("write failed");
  return {};
}

status line_file::open_truncate(const std::string& path) {
  return open(path, "w");
}

status line_file::write_line(const std::string& line) {
  if (error_) return *error_;
  if (!file_) return make_error(path_ + ": not open");
  if (std::fwrite(line.data(), 1, line.size(), file_.get()) != line.size() ||
      std::fputc('\n', file_.get()) == EOF) {
    return failed("write failed");
  }
  return {};
}

status line_file::flush() {
  if (error_) return *error_;
  if (!file_) return {};
  if (std::fflush(file_.get()) != 0 || std::ferror(file_.get()) != 0) return failed("write failed");
  return {};
}

status line_file::close() {
  if (!file_) return error_ ? status(*error_) : status();
  auto flushed = flush();
  const int closed = std::fclose(file_.release());
  if (!flushed.ok()) return flushed;
  if (closed != 0) return failed("close failed");
  return {};
}

status write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  line_file out;
  if (auto st = out.open_truncate(tmp); !st.ok()) return st;
  auto written = out.write_line(text);
  auto closed = out.close();
  if (!written.ok() || !closed.ok()) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return written.ok() ? closed : written;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return io_error(path, "rename failed", errno);
  }
  return {};
}

status write_bytes_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return io_error(tmp, "cannot open for writing", errno);
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                       std::fflush(f) == 0 && std::ferror(f) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    const int err = written ? errno : write_errno;
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return io_error(tmp, written ? "close failed" : "write failed", err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return io_error(path, "rename failed", errno);
  }
  return {};
}

}  // namespace sgp::core
