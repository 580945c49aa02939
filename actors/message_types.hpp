// Type names of the serializable control-plane messages (their inspect()
// overloads: actors/messages.hpp, actors/message_inspect.hpp), so that CAF
// can serialize a message holding them: across processes, and to check
// that they survive it (tests/actors/message_inspect_test.cpp).
#pragma once

#include <caf/actor_system_config.hpp>

namespace sgp::actors {

/// Registers every serializable message type of the runtime with `cfg`.
void add_message_types(caf::actor_system_config& cfg);

}  // namespace sgp::actors
