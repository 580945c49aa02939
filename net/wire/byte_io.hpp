// Little-endian field writers and a bounds-checked reader for the wire
// codecs. The reader never reads past its span: a short read sets a sticky
// failure flag and yields zeros, so a codec checks once at the end.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace sgp::net::wire {

static_assert(std::endian::native == std::endian::little,
              "the wire is little-endian and the codecs copy host values as they are");

/// Writes fields one after another into a fixed buffer (the caller sizes it).
class byte_writer {
 public:
  explicit byte_writer(std::span<std::uint8_t> out) : out_(out) {}

  template <class T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (pos_ + sizeof(T) > out_.size()) {  // a codec bug, never input-driven
      overflow_ = true;
      return;
    }
    std::memcpy(out_.data() + pos_, &value, sizeof(T));
    pos_ += sizeof(T);
  }
  void put_bytes(std::span<const std::uint8_t> bytes) {
    if (pos_ + bytes.size() > out_.size()) {
      overflow_ = true;
      return;
    }
    if (!bytes.empty()) std::memcpy(out_.data() + pos_, bytes.data(), bytes.size());
    pos_ += bytes.size();
  }
  [[nodiscard]] std::size_t written() const { return pos_; }
  [[nodiscard]] bool overflow() const { return overflow_; }

 private:
  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
  bool overflow_ = false;
};

/// Reads fields one after another; past the end it fails (sticky) and yields 0.
class byte_reader {
 public:
  explicit byte_reader(std::span<const std::uint8_t> in) : in_(in) {}

  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    if (failed_ || in_.size() - pos_ < sizeof(T)) {
      failed_ = true;
      return value;
    }
    std::memcpy(&value, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  /// The next `n` bytes (empty and failed when fewer remain).
  std::span<const std::uint8_t> get_bytes(std::size_t n) {
    if (failed_ || in_.size() - pos_ < n) {
      failed_ = true;
      return {};
    }
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  [[nodiscard]] std::size_t remaining() const { return in_.size() - pos_; }
  [[nodiscard]] bool failed() const { return failed_; }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace sgp::net::wire
