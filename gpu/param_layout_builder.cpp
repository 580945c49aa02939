// Implementation of lay_out_params (see param_layout_builder.hpp).
#include "gpu/param_layout_builder.hpp"

#include "core/assert.hpp"

namespace sgp::gpu {

param_layout lay_out_params(const std::vector<std::string>& names,
                            const std::vector<std::vector<param_request>>& requests,
                            std::vector<std::vector<std::size_t>>& offsets) {
  SGP_ASSERT(names.size() == requests.size());
  param_layout layout;
  offsets.assign(requests.size(), {});
  for (const bool decayed_pass : {true, false}) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      offsets[i].resize(requests[i].size());
      for (std::size_t r = 0; r < requests[i].size(); ++r) {
        const auto& req = requests[i][r];
        if ((req.kind == param_kind::weight) != decayed_pass) continue;
        offsets[i][r] = layout.total;
        layout.segments.push_back(
            param_segment{names[i] + "." + req.name, req.kind, layout.total, req.size, req.fan_in});
        layout.total += req.size;
      }
    }
    if (decayed_pass) layout.decayed = layout.total;
  }
  return layout;
}

}  // namespace sgp::gpu
