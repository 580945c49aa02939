// Implementation of the metrics.jsonl writer (see metrics_writer.hpp).
#include "runtime/metrics_writer.hpp"

namespace sgp::runtime {

core::status metrics_writer::open_in(const std::string& run_dir) {
  return file_.open_append(run_dir + "/" + metrics_file_name);
}

core::status metrics_writer::train(const core::metrics::train_record& r) {
  return file_.write_line(core::metrics::train_line(r));
}

core::status metrics_writer::eval(const core::metrics::eval_record& r) {
  return file_.write_line(core::metrics::eval_line(r));
}

core::status metrics_writer::resume(std::uint64_t iteration, const std::string& checkpoint) {
  return file_.write_line(core::metrics::resume_line(iteration, checkpoint));
}

core::status metrics_writer::end_of_run(const core::metrics::final_record& r) {
  return file_.write_line(core::metrics::final_line(r));
}

core::status metrics_writer::line(const std::string& text) {
  return file_.write_line(text);
}

core::status metrics_writer::flush() {
  return file_.flush();
}

core::status metrics_writer::close() {
  return file_.close();
}

}  // namespace sgp::runtime
