// Implementation of the exit reasons for exceptions (see actor_failure.hpp).
#include "actors/actor_failure.hpp"

namespace sgp::actors {
namespace {

/// Marks the reasons made here, so that other runtime errors are not taken for them.
constexpr const char* marker = "sgp.actor_failure";

}  // namespace

caf::error exception_exit_reason(const std::string& who, const std::exception_ptr& x) {
  std::string what = "unknown exception";
  try {
    if (x) std::rethrow_exception(x);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    // Not derived from std::exception: nothing more to say.
  }
  return caf::make_error(caf::sec::runtime_error, std::string(marker), who + " failed: " + what);
}

std::string actor_failure_text(const caf::error& reason) {
  if (reason.category() != caf::atom("system") ||
      reason.code() != static_cast<std::uint8_t>(caf::sec::runtime_error)) {
    return {};
  }
  const auto& ctx = reason.context();
  if (ctx.size() != 2 || !ctx.match_element<std::string>(0) || !ctx.match_element<std::string>(1) ||
      ctx.get_as<std::string>(0) != marker) {
    return {};
  }
  return ctx.get_as<std::string>(1);
}

}  // namespace sgp::actors
