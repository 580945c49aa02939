// Registration of the serializable message types (see message_types.hpp).
#include "actors/message_types.hpp"

#include <vector>

#include "actors/messages.hpp"

namespace sgp::actors {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<core::membership_view>("sgp.membership_view")
      .add_message_type<core::command>("sgp.command")
      .add_message_type<std::vector<core::forgotten_edges>>("sgp.forgotten_edges_list")
      .add_message_type<core::cluster_status>("sgp.cluster_status")
      .add_message_type<iteration_report>("sgp.iteration_report")
      .add_message_type<link_update>("sgp.link_update")
      .add_message_type<eval_result>("sgp.eval_result");
}

}  // namespace sgp::actors
