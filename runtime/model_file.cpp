// Implementation of the model file (see model_file.hpp).
#include "runtime/model_file.hpp"

#include "config/names.hpp"
#include "core/safetensors.hpp"
#include "gpu/torch_state.hpp"

namespace sgp::runtime {

core::status save_model_file(const std::string& path, const config::config& cfg,
                             const config::settings& set, const gpu::param_layout& layout,
                             std::span<const float> params, std::span<const float> stats,
                             std::uint64_t iterations) {
  if (config::is_resnet(set.model)) return {};
  auto tensors = gpu::torch_state(cfg.model.name, layout, params, stats,
                                  static_cast<std::int64_t>(iterations));
  if (!tensors.ok()) return tensors.err().with_context(path);
  return core::write_safetensors(
      path, *tensors,
      {{"format", "pt"}, {"model", cfg.model.name}, {"algorithm", cfg.algorithm.name}});
}

}  // namespace sgp::runtime
