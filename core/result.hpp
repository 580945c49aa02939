// Errors as values: `result<T>` holds either a T or an `error` with context.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sgp::core {

/// A recoverable failure: one human-readable line, context prepended on the
/// way up ("config.toml:3:1: optimizer.lr: must be >= 0").
struct error {
  std::string message;

  /// Returns this error with `context + ": "` in front of the message.
  [[nodiscard]] error with_context(const std::string& context) const {
    return error{context + ": " + message};
  }
};

/// Either a value or an error. Never throws; check `ok()` before `value()`.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  result(error err) : data_(std::move(err)) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const error& err() const { return std::get<1>(data_); }

 private:
  std::variant<T, error> data_;
};

/// Success or an error, for operations that return nothing.
class [[nodiscard]] status {
 public:
  status() = default;
  status(error err) : err_(std::move(err)) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] const error& err() const { return *err_; }

 private:
  std::optional<error> err_;
};

/// Shorthand for building an error in a return statement.
inline error make_error(std::string message) {
  return error{std::move(message)};
}

}  // namespace sgp::core
