// disable_nvlink_multicast: sets NCCL_NVLS_ENABLE=0 when unset, keeps a
// user's value. Restores the variable as it found it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "core/nccl_env.hpp"

namespace {

using sgp::core::nccl_nvls_variable;

/// Saves the variable on construction and puts it back on destruction.
class saved_variable {
 public:
  saved_variable() {
    if (const char* v = std::getenv(nccl_nvls_variable)) saved_ = v;
  }
  saved_variable(const saved_variable&) = delete;
  saved_variable& operator=(const saved_variable&) = delete;
  ~saved_variable() {
    if (saved_) {
      (void)::setenv(nccl_nvls_variable, saved_->c_str(), 1);
    } else {
      (void)::unsetenv(nccl_nvls_variable);
    }
  }

 private:
  std::optional<std::string> saved_;
};

std::optional<std::string> current() {
  const char* v = std::getenv(nccl_nvls_variable);
  return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
}

}  // namespace

TEST_CASE("disable_nvlink_multicast sets NCCL_NVLS_ENABLE=0 when it is unset", "[core]") {
  const saved_variable guard;
  REQUIRE(::unsetenv(nccl_nvls_variable) == 0);
  REQUIRE_FALSE(current().has_value());
  sgp::core::disable_nvlink_multicast();
  CHECK(current() == std::optional<std::string>("0"));
  sgp::core::disable_nvlink_multicast();  // idempotent
  CHECK(current() == std::optional<std::string>("0"));
}

TEST_CASE("disable_nvlink_multicast keeps a value the user set", "[core]") {
  const saved_variable guard;
  REQUIRE(::setenv(nccl_nvls_variable, "1", 1) == 0);
  sgp::core::disable_nvlink_multicast();
  CHECK(current() == std::optional<std::string>("1"));
  REQUIRE(::setenv(nccl_nvls_variable, "", 1) == 0);  // set but empty is still the user's
  sgp::core::disable_nvlink_multicast();
  CHECK(current() == std::optional<std::string>(""));
}
