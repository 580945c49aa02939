// The data-plane transport interface (DESIGN.md §3): deliver a frame to a
// peer process, get a callback for every frame received, read per-peer
// statistics. Frames are the wire format's (net/wire/frame.hpp); a frame is
// handed over as a head and an optional payload so a push goes out with one
// gather write straight from its buffer. Implementations: tcp/ (Boost.Asio).
//
// Threading: deliver() and stats() may be called from any thread. The
// receive callback runs on the transport's I/O thread: it must not block and
// must not touch actor state (post a message instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/frame_progress.hpp"
#include "net/wire/frame.hpp"
#include "net/wire/frame_memory.hpp"
#include "net/wire/wire_error.hpp"

namespace sgp::net {

using shared_bytes = std::shared_ptr<const std::vector<std::uint8_t>>;

/// An allocator whose resize() leaves new elements uninitialised (a receive
/// buffer is overwritten by the read, so zero-filling a 100 MB push first
/// would only cost time) and whose large blocks are kept for the next frame
/// (net/wire/frame_memory.hpp: no page faults per received push).
template <class T>
struct frame_allocator {
  using value_type = T;
  frame_allocator() = default;
  template <class U>
  frame_allocator(const frame_allocator<U>&) noexcept {}  // NOLINT: as std
  [[nodiscard]] T* allocate(std::size_t n) {
    return static_cast<T*>(wire::frame_memory::take(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { wire::frame_memory::give(p, n * sizeof(T)); }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;  // default-initialised: no zeroing
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
  template <class U>
  friend bool operator==(const frame_allocator&, const frame_allocator<U>&) noexcept {
    return true;
  }
};

/// The body of a received frame.
using byte_buffer = std::vector<std::uint8_t, frame_allocator<std::uint8_t>>;

/// One frame to send: head (frame header, and for a push its fixed fields)
/// and payload (may be null), written back to back.
struct outgoing_frame {
  shared_bytes head;
  shared_bytes payload;
  /// Frames with the same nonzero key supersede each other while queued: a
  /// newer push on an edge replaces the queued older one (lossless under
  /// running sums and acked deltas). 0: never superseded.
  std::uint64_t supersede_key = 0;
  /// Set (when not null) to on_wire as the frame starts on the wire, past
  /// the point where a newer frame could supersede it, or to dropped when
  /// a newer frame supersedes it or a full queue refuses it: a push's
  /// sender builds the next push on one that left and forgets one that
  /// was dropped (core/edge_delta.hpp).
  core::progress_flag progress{};
  [[nodiscard]] std::size_t size() const {
    return (head ? head->size() : 0) + (payload ? payload->size() : 0);
  }
};

/// What deliver() did.
enum class deliver_outcome {
  queued,        ///< will be written
  superseded,    ///< replaced a queued frame with the same key
  dropped_full,  ///< the peer's queue is at its bound (backpressure; never for key 0)
  unknown_peer,  ///< no such peer
};

/// A received, checked frame; the body is owned by the callback's argument.
struct received_frame {
  std::uint32_t peer = 0;  ///< the sending process (from its hello)
  wire::frame_kind kind = wire::frame_kind::push;
  byte_buffer body;
  /// The nonce of the hello that opened its connection (a cluster's is the
  /// sender's incarnation: frames of an earlier life can be told apart).
  std::uint64_t nonce = 0;
};

/// Counters of one peer connection (both directions).
struct peer_stats {
  std::uint64_t frames_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t superseded = 0;
  std::uint64_t dropped_full = 0;
  std::uint64_t lost_on_disconnect = 0;  ///< frames being written when a connection broke
  std::uint64_t connects = 0;            ///< outbound connections established
  std::uint64_t disconnects = 0;
  std::size_t queued_bytes = 0;
  std::size_t queued_frames = 0;
  std::size_t max_queued_bytes = 0;  ///< high-water mark
};

/// Connections refused before a peer was known (garbage, stalls, bad hello).
struct inbound_stats {
  std::uint64_t accepted = 0;
  std::uint64_t dropped = 0;  ///< connections closed for any refusal below
  std::uint64_t stalled = 0;  ///< a frame did not complete within the stall timeout
  std::uint64_t refused_hello = 0;
  wire::rejection_counters rejected;  ///< frame refusals by reason
};

class frame_transport {
 public:
  virtual ~frame_transport() = default;
  using receive_callback = std::function<void(received_frame)>;

  virtual deliver_outcome deliver(std::uint32_t peer, outgoing_frame frame) = 0;
  [[nodiscard]] virtual peer_stats stats(std::uint32_t peer) const = 0;
  [[nodiscard]] virtual inbound_stats inbound() const = 0;
};

}  // namespace sgp::net
