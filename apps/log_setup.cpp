// Implementation of apply_log_level (see log_setup.hpp).
#include "apps/log_setup.hpp"

#include "config/names.hpp"
#include "core/log.hpp"

namespace sgp::apps {

void apply_log_level(const config::config& cfg) {
  core::set_log_threshold(
      config::from_name<core::log_level>(cfg.output.log_level).value_or(core::log_level::info));
}

}  // namespace sgp::apps
