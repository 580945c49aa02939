#include "core/checkpoint_schedule.hpp"

namespace sgp::core {

std::uint64_t next_checkpoint(std::uint64_t every, std::uint64_t total, std::uint64_t after) {
  if (every == 0) return 0;
  const std::uint64_t at = (after / every + 1) * every;
  return at < total ? at : 0;
}

std::vector<std::size_t> not_held(const std::vector<bool>& live,
                                  const std::vector<std::uint64_t>& held, std::uint64_t at) {
  std::vector<std::size_t> out;
  for (std::size_t p = 0; p < live.size(); ++p) {
    if (live[p] && (p >= held.size() || held[p] != at)) out.push_back(p);
  }
  return out;
}

std::string pause_cut_name(std::uint64_t at) {
  return "pause-" + std::to_string(at);
}

cut_choice choose_cut(const std::vector<resumed_file>& files) {
  cut_choice out;
  double best = 0.0;
  for (const auto& f : files) {
    if (f.at > best) {
      best = f.at;
      out.cut = f.cut;
    }
  }
  out.iteration = static_cast<std::uint64_t>(best);
  return out;
}

std::vector<bool> out_at_resume(const std::vector<resumed_file>& files, const cut_choice& chosen) {
  std::vector<bool> out(files.size(), false);
  for (std::size_t p = 0; p < files.size(); ++p) {
    const auto& f = files[p];
    const bool of_cut =
        f.cut == chosen.cut || (!f.pending_cut.empty() && f.pending_cut == chosen.cut);
    out[p] = !of_cut || (f.cut == chosen.cut && f.nodes == 0);
  }
  return out;
}

bool all_held(const std::vector<bool>& live, const std::vector<std::uint64_t>& held,
              std::uint64_t at) {
  bool any = false;
  for (const bool l : live) any = any || l;
  return at > 0 && any && not_held(live, held, at).empty();
}

}  // namespace sgp::core
