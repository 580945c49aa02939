// A cluster process's incarnation (see incarnation.hpp).
#include "core/incarnation.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sgp::core {

std::uint64_t next_incarnation(std::uint64_t now_us, std::optional<std::uint64_t> previous) {
  if (previous && *previous >= now_us) return *previous + 1;
  return now_us;
}

std::optional<std::uint64_t> read_incarnation(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::uint64_t value = 0;
  const auto* end = s.data() + s.size();
  const auto [at, ec] = std::from_chars(s.data(), end, value);
  if (s.empty() || ec != std::errc() || at != end) return std::nullopt;
  return value;
}

status write_incarnation(const std::string& path, std::uint64_t incarnation) {
  const std::string temporary = path + ".tmp";
  std::FILE* f = std::fopen(temporary.c_str(), "w");
  if (f == nullptr) {
    return make_error(temporary + ": cannot be written (" + std::strerror(errno) + ")");
  }
  const bool written = std::fprintf(f, "%llu\n", static_cast<unsigned long long>(incarnation)) > 0;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) return make_error(temporary + ": cannot be written");
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return make_error(path + ": cannot be replaced (" + ec.message() + ")");
  return {};
}

}  // namespace sgp::core
