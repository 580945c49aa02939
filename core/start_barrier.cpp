#include "core/start_barrier.hpp"

namespace sgp::core {

start_barrier::start_barrier(std::size_t processes, std::size_t self)
    : ready_(processes, false), self_(self) {}

void start_barrier::ready_here(double now) {
  if (self_ < ready_.size()) ready_[self_] = true;
  if (since_ < 0.0) since_ = now;
}

void start_barrier::heard(std::size_t p) {
  if (p < ready_.size()) ready_[p] = true;
}

std::vector<std::size_t> start_barrier::missing(const std::vector<bool>& live) const {
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < ready_.size(); ++p) {
    const bool is_live = p >= live.size() || live[p];
    if (is_live && !ready_[p]) out.push_back(p);
  }
  return out;
}

bool start_barrier::open(const std::vector<bool>& live) const {
  return ready_here() && missing(live).empty();
}

bool start_barrier::expired(double now, double bound) const {
  return ready_here() && now - since_ > bound;
}

std::string process_list(const std::vector<std::size_t>& processes,
                         const std::vector<std::string>& names) {
  std::string out;
  for (const auto p : processes) {
    if (!out.empty()) out += ", ";
    out += p < names.size() ? names[p] : "process " + std::to_string(p);
  }
  return out;
}

}  // namespace sgp::core
