// How far a push's frame got, as its transport reports it: shared between
// the push's sender end (core/edge_delta.hpp), which builds the next push
// on one that has left, and the transport (net/frame_transport.hpp), which
// sets it. Pure: no I/O.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace sgp::core {

enum class frame_progress : std::uint8_t {
  queued = 0,   ///< not written yet (a newer push may supersede it)
  on_wire = 1,  ///< being written or written: past superseding
  dropped = 2,  ///< superseded or dropped by a full queue: it never leaves
};

/// A push's progress, shared by its sender end and its frame (null: no
/// transport reports it).
using progress_flag = std::shared_ptr<std::atomic<frame_progress>>;

}  // namespace sgp::core
