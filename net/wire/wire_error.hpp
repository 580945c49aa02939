// Why the wire layer refused some bytes, as values: every decoder returns a
// wire_result and counts each rejection by reason in a rejection_counters.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

namespace sgp::net::wire {

/// Reasons a frame or a body is refused.
enum class wire_error : std::uint8_t {
  truncated,        ///< fewer bytes than the header or its length field says
  bad_magic,        ///< not an sgp frame (or the stream lost its framing)
  bad_version,      ///< a frame version this build does not speak
  bad_kind,         ///< unknown frame kind
  bad_flags,        ///< reserved header bits set
  header_checksum,  ///< the header's CRC32C does not match (length not trusted)
  too_large,        ///< the body length exceeds the limit for the kind
  body_checksum,    ///< the body's CRC32C does not match
  trailing_bytes,   ///< bytes after a complete frame in a one-frame buffer
  body_size,        ///< the body is shorter or longer than its fields say
  bad_dtype,        ///< unknown payload element type
  count_mismatch,   ///< element count × element size != payload bytes
  bad_value,        ///< a non-finite weight, or a field out of its range
};

inline constexpr std::size_t wire_error_count = 13;

/// A stable lower-case name ("header_checksum") for logs and metrics.
[[nodiscard]] std::string_view to_string(wire_error e);

/// Rejections counted by reason.
class rejection_counters {
 public:
  void count(wire_error e) { ++by_reason_[static_cast<std::size_t>(e)]; }
  [[nodiscard]] std::uint64_t operator[](wire_error e) const {
    return by_reason_[static_cast<std::size_t>(e)];
  }
  [[nodiscard]] std::uint64_t total() const {
    std::uint64_t t = 0;
    for (const auto n : by_reason_) t += n;
    return t;
  }
  void add(const rejection_counters& other) {
    for (std::size_t i = 0; i < wire_error_count; ++i) by_reason_[i] += other.by_reason_[i];
  }

 private:
  std::array<std::uint64_t, wire_error_count> by_reason_{};
};

/// Either a decoded T or the reason it was refused.
template <class T>
class [[nodiscard]] wire_result {
 public:
  wire_result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  wire_result(wire_error e) : data_(e) {}            // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] wire_error error() const { return std::get<1>(data_); }

 private:
  std::variant<T, wire_error> data_;
};

}  // namespace sgp::net::wire
