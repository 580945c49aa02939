// The notice codec: cluster coordination between processes on the data
// plane (a process finished its iterations, the drain, the final results).
// Small and rare, so a notice is one self-describing body:
//
//   offset size  field
//   0      4     sending process (u32)
//   4      4     topic (u32, notice_topic)
//   8      4     text length in bytes (u32)
//   12     4     value count (u32)
//   16     ...   text (UTF-8, e.g. JSON), then count f64 values (finite)
//
// A settings notice's values are the incarnations a rejoin needs (the
// sender's, the receiver's as the sender knows it, whether the sender
// readmitted it: actors/bridge_actor.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/wire/frame.hpp"

namespace sgp::net::wire {

/// What a notice is about.
enum class notice_topic : std::uint32_t {
  done = 1,        ///< every node of the sender finished its iterations
  flush = 2,       ///< (from process 0) flush your nodes' pushes and report weights
  weights = 3,     ///< a process's weights after a flush (text: JSON)
  final = 4,       ///< (from process 0) evaluate and send your results
  result = 5,      ///< a process's results (text: JSON; values: sum of its live nodes' z)
  finish = 6,      ///< (from process 0) the summary is written: exit
  abort = 7,       ///< a process failed (text: why); the others stop
  settings = 8,    ///< the sender's settings (config/settings_text.hpp), checked at join
  stop = 9,        ///< stop training now (a signal): every process pauses, the end follows
  command = 10,    ///< a console command for every process (text: the line, as typed)
  store = 11,      ///< a rendezvous entry, or a request for one (net/rendezvous_store.hpp)
  welcome = 12,    ///< (to a readmitted process) the view and iteration (core/process_rejoin.hpp)
  node = 13,       ///< (from a node's owner) it killed or revived the node (core/node_life.hpp)
  cut_off = 14,    ///< (to a process held dead) it is, in the sender's view (core/cut_off.hpp)
  resend = 15,     ///< (to a node's process) values [from, to]: send that edge's sums again
  ready = 16,      ///< joined, nodes spawned (core/start_barrier.hpp); values [1]: still waiting
  consensus = 17,  ///< (from process 0) values [round, the averaged model]: your distance to it
  distance = 18,   ///< values [round, the largest distance of the sender's nodes' models to it]
  measure = 19,    ///< (from process 0) values [-iteration]: send your nodes' models, summed
  model_sum = 20,  ///< values [-iteration, models summed, their sum]: the answer to measure
  held = 21,       ///< values [iteration]: the sender's nodes paused there for a checkpoint
  save = 22,       ///< (from process 0) values [iteration, weight in flight]: write your nodes
  saved = 23,      ///< values [iteration, 1 written / 0 not] (text: why not)
  release = 24,    ///< (from process 0) values [iteration, 1 written / 0 given up]: go on
};

struct notice {
  std::uint32_t process = 0;
  notice_topic topic = notice_topic::done;
  std::string text;
  std::vector<double> values;
  friend bool operator==(const notice&, const notice&) = default;
};

/// The whole frame of a notice.
[[nodiscard]] std::vector<std::uint8_t> encode_notice(const notice& n);

/// Decodes a notice body; refusals (a wrong size, an unknown topic, a
/// non-finite value) are counted in `decoder`.
wire_result<notice> decode_notice(frame_decoder& decoder, const frame_view& frame);

}  // namespace sgp::net::wire
