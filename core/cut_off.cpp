// Implementation of the cut-off judgement (see cut_off.hpp).
#include "core/cut_off.hpp"

#include <cmath>

#include "core/process_rejoin.hpp"

namespace sgp::core {
namespace {

struct side {
  std::size_t count = 0;
  std::size_t lowest = 0;
};

side side_of(const std::vector<bool>& live) {
  side s;
  s.lowest = live.size();
  for (std::size_t p = 0; p < live.size(); ++p) {
    if (!live[p]) continue;
    if (s.count == 0) s.lowest = p;
    ++s.count;
  }
  return s;
}

bool whole(double v) {
  return v >= 0.0 && v < static_cast<double>(max_exact_double) && std::floor(v) == v;
}

}  // namespace

std::vector<double> encode_cut_off(const cut_off_notice& n) {
  std::vector<double> out{static_cast<double>(n.sender), static_cast<double>(n.receiver)};
  for (const bool l : n.live) out.push_back(l ? 1.0 : 0.0);
  return out;
}

result<cut_off_notice> decode_cut_off(const std::vector<double>& values, std::size_t processes) {
  if (values.size() != 2 + processes) {
    return make_error("a cut-off notice has " + std::to_string(values.size()) + " values, not " +
                      std::to_string(2 + processes));
  }
  if (!whole(values[0]) || !whole(values[1])) {
    return make_error("a cut-off notice's incarnations are not whole numbers");
  }
  cut_off_notice n;
  n.sender = static_cast<std::uint64_t>(values[0]);
  n.receiver = static_cast<std::uint64_t>(values[1]);
  for (std::size_t p = 0; p < processes; ++p) {
    const double v = values[2 + p];
    if (v != 0.0 && v != 1.0) return make_error("a cut-off notice's live flags are not 0 or 1");
    n.live.push_back(v == 1.0);
  }
  return n;
}

cut_off_verdict judge_cut_off(const cut_off_notice& n, std::uint32_t me, std::uint64_t mine,
                              const std::vector<bool>& my_live, std::uint32_t peer) {
  if (n.receiver == 0 || n.receiver != mine) return cut_off_verdict::stale;
  if (me < n.live.size() && n.live[me]) return cut_off_verdict::ignored;
  if (peer < my_live.size() && my_live[peer]) return cut_off_verdict::restart;
  const auto ours = side_of(my_live);
  const auto theirs = side_of(n.live);
  if (ours.count != theirs.count) {
    return ours.count < theirs.count ? cut_off_verdict::restart : cut_off_verdict::stay;
  }
  return ours.lowest > theirs.lowest ? cut_off_verdict::restart : cut_off_verdict::stay;
}

}  // namespace sgp::core
