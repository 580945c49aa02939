// Implementation of the metrics.jsonl lines (see metrics_lines.hpp).
#include "core/metrics_lines.hpp"

#include "core/json.hpp"

namespace sgp::core::metrics {
namespace {

std::int64_t count(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::string train_line(const train_record& r) {
  return json_object(digits)
      .add("event", "train")
      .add("node", r.node)
      .add("iteration", count(r.iteration))
      .add("epoch", r.epoch)
      .add("time", r.time)
      .add("loss", r.loss)
      .add("lr", r.lr)
      .add("w", r.w)
      .add("comm_wait", r.comm_wait)
      .add("compute", r.compute)
      .add("bytes_sent", count(r.bytes_sent))
      .add("messages_late", count(r.messages_late))
      .add("messages_lost", count(r.messages_lost))
      .add("messages_duplicate", count(r.messages_duplicate))
      .str();
}

std::string eval_line(const eval_record& r) {
  return json_object(digits)
      .add("event", "eval")
      .add("node", r.node)
      .add("iteration", count(r.iteration))
      .add("epoch", r.epoch)
      .add("time", r.time)
      .add("test_loss", r.test_loss)
      .add("test_accuracy", r.test_accuracy)
      .str();
}

std::string consensus_line(std::uint64_t iteration, double time, double consensus_distance) {
  return json_object(digits)
      .add("event", "consensus")
      .add("iteration", count(iteration))
      .add("time", time)
      .add("consensus_distance", consensus_distance)
      .str();
}

std::string action_line(const action_record& r) {
  return json_object(digits)
      .add("event", r.event)
      .add("source", r.source)
      .add("iteration", count(r.iteration))
      .add("time", r.time)
      .add("action", r.action)
      .add("command", r.command)
      .add("result", r.result)
      .str();
}

std::string resume_line(std::uint64_t iteration, const std::string& checkpoint) {
  return json_object()
      .add("event", "resume")
      .add("iteration", count(iteration))
      .add("checkpoint", checkpoint)
      .str();
}

std::string final_line(const final_record& r) {
  // The weights stay exact: their sum is checked to 1e-9 against the expected.
  return json_object(digits)
      .add("event", "final")
      .add("iteration", count(r.iteration))
      .add("time", r.time)
      .add("consensus_distance", r.consensus_distance)
      .add_raw("total_weight", json_number(r.total_weight))
      .add_raw("expected_total_weight", json_number(r.expected_total_weight))
      .add("in_flight_weight_at_eval", r.in_flight_weight_at_eval)
      .str();
}

}  // namespace sgp::core::metrics
