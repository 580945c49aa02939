// Implementation of checkpoint files (see checkpoint.hpp for the guarantees).
#include "core/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace sgp::core {
namespace {

constexpr char magic[8] = {'S', 'G', 'P', 'C', 'K', 'P', 'T', '1'};
constexpr std::uint32_t format_version = 1;

std::uint64_t fnv1a(const std::uint8_t* data, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= data[i];
    h *= 1099511628211ULL;
  }
  return h;
}

template <class T>
void append(std::vector<std::uint8_t>& out, const T& value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

template <class T>
std::vector<std::uint8_t> to_bytes(std::span<const T> values) {
  std::vector<std::uint8_t> bytes(values.size_bytes());
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <class T>
std::vector<T> from_bytes(const std::vector<std::uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

/// Bounds-checked reader over the file's bytes.
struct reader {
  const std::vector<std::uint8_t>& data;
  std::size_t pos = 0;
  template <class T>
  bool read(T& value) {
    if (data.size() - pos < sizeof(T)) return false;
    std::memcpy(&value, data.data() + pos, sizeof(T));
    pos += sizeof(T);
    return true;
  }
  bool read_bytes(std::size_t n, std::vector<std::uint8_t>& out) {
    if (data.size() - pos < n) return false;
    out.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
    return true;
  }
};

template <class T>
result<std::vector<T>> checked(result<std::vector<T>> values, const std::string& name,
                               std::size_t expected_size) {
  if (values.ok() && expected_size != 0 && values->size() != expected_size) {
    return make_error("checkpoint entry '" + name + "' has " + std::to_string(values->size()) +
                      " values, expected " + std::to_string(expected_size));
  }
  return values;
}

}  // namespace

void checkpoint::put_floats(const std::string& name, std::span<const float> values) {
  entries_[name] = entry{kind::f32, to_bytes(values)};
}

void checkpoint::put_doubles(const std::string& name, std::span<const double> values) {
  entries_[name] = entry{kind::f64, to_bytes(values)};
}

void checkpoint::put_ints(const std::string& name, std::span<const std::int64_t> values) {
  entries_[name] = entry{kind::i64, to_bytes(values)};
}

void checkpoint::put_string(const std::string& name, const std::string& value) {
  entries_[name] = entry{kind::str, std::vector<std::uint8_t>(value.begin(), value.end())};
}

result<const checkpoint::entry*> checkpoint::find(const std::string& name, kind type) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) return make_error("checkpoint has no entry '" + name + "'");
  if (it->second.type != type)
    return make_error("checkpoint entry '" + name + "' has another type");
  return &it->second;
}

result<std::vector<float>> checkpoint::floats(const std::string& name,
                                              std::size_t expected_size) const {
  auto e = find(name, kind::f32);
  if (!e.ok()) return e.err();
  return checked<float>(from_bytes<float>((*e)->bytes), name, expected_size);
}

result<std::vector<double>> checkpoint::doubles(const std::string& name,
                                                std::size_t expected_size) const {
  auto e = find(name, kind::f64);
  if (!e.ok()) return e.err();
  return checked<double>(from_bytes<double>((*e)->bytes), name, expected_size);
}

result<std::vector<std::int64_t>> checkpoint::ints(const std::string& name,
                                                   std::size_t expected_size) const {
  auto e = find(name, kind::i64);
  if (!e.ok()) return e.err();
  return checked<std::int64_t>(from_bytes<std::int64_t>((*e)->bytes), name, expected_size);
}

result<std::string> checkpoint::string(const std::string& name) const {
  auto e = find(name, kind::str);
  if (!e.ok()) return e.err();
  return std::string((*e)->bytes.begin(), (*e)->bytes.end());
}

status checkpoint::save(const std::string& path) const {
  std::vector<std::uint8_t> out(std::begin(magic), std::end(magic));
  append(out, format_version);
  append(out, static_cast<std::uint32_t>(entries_.size()));
  for (const auto& [name, e] : entries_) {
    append(out, static_cast<std::uint32_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    append(out, e.type);
    append(out, static_cast<std::uint64_t>(e.bytes.size()));
    out.insert(out.end(), e.bytes.begin(), e.bytes.end());
  }
  append(out, fnv1a(out.data(), out.size()));

  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return make_error(tmp + ": cannot create (" + std::strerror(errno) + ")");
  std::size_t written = 0;
  while (written < out.size()) {
    const ssize_t n = ::write(fd, out.data() + written, out.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(tmp + ": write failed (" + why + ")");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return make_error(tmp + ": flush failed (" + std::strerror(errno) + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error(path + ": rename failed (" + std::strerror(errno) + ")");
  }
  return {};
}

result<checkpoint> checkpoint::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open checkpoint (" + std::strerror(errno) + ")");
  const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
  auto fail = [&](const std::string& what) { return make_error(path + ": " + what); };
  if (data.size() < sizeof(magic) + 8 + 8 || std::memcmp(data.data(), magic, sizeof(magic)) != 0) {
    return fail("not an sgp checkpoint (bad magic)");
  }
  std::uint64_t stored_sum = 0;
  std::memcpy(&stored_sum, data.data() + data.size() - 8, 8);
  if (stored_sum != fnv1a(data.data(), data.size() - 8)) {
    return fail("checksum mismatch (file damaged or truncated)");
  }
  const std::vector<std::uint8_t> body(data.begin(), data.end() - 8);
  reader r{body, sizeof(magic)};
  std::uint32_t version = 0;
  std::uint32_t count = 0;
  if (!r.read(version) || !r.read(count)) return fail("truncated header");
  if (version != format_version) {
    return fail("format version " + std::to_string(version) + " (this build reads " +
                std::to_string(format_version) + ")");
  }
  checkpoint ckpt;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t name_size = 0;
    std::vector<std::uint8_t> name_bytes;
    entry e;
    std::uint64_t size = 0;
    if (!r.read(name_size) || !r.read_bytes(name_size, name_bytes) || !r.read(e.type) ||
        !r.read(size) || !r.read_bytes(size, e.bytes)) {
      return fail("truncated entry " + std::to_string(i));
    }
    const std::string name(name_bytes.begin(), name_bytes.end());
    std::size_t value_size = 1;
    switch (e.type) {
      case kind::f32:
        value_size = sizeof(float);
        break;
      case kind::f64:
        value_size = sizeof(double);
        break;
      case kind::i64:
        value_size = sizeof(std::int64_t);
        break;
      case kind::str:
        break;
      default:
        return fail("entry '" + name + "' has unknown type " +
                    std::to_string(static_cast<unsigned>(e.type)));
    }
    if (e.bytes.size() % value_size != 0) {
      return fail("entry '" + name + "' has " + std::to_string(e.bytes.size()) +
                  " bytes, not a whole number of values");
    }
    ckpt.entries_[name] = std::move(e);
  }
  if (r.pos != body.size()) return fail("trailing bytes after the last entry");
  return ckpt;
}

}  // namespace sgp::core
