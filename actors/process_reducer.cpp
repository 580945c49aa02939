// Implementation of the process reducer (see process_reducer.hpp).
#include "actors/process_reducer.hpp"

#include "actors/actor_failure.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::actors {

caf::behavior process_reducer(caf::event_based_actor* self, process_sum_fn sum,
                              process_device_sum_fn device_sum) {
  exit_on_exception(self, "the process reducer");
  return {
      [=](reduce_atom, std::uint64_t iteration, std::vector<double>& values,
          const std::vector<bool>& live) -> caf::result<std::vector<double>> {
        auto out = sum(iteration, std::move(values), live);
        if (!out.ok()) return caf::make_error(caf::sec::runtime_error, out.err().message);
        return std::move(out).value();
      },
      [=](reduce_atom, std::uint64_t iteration, const engine_list& engines, double count,
          const std::vector<bool>& live) -> caf::result<double> {
        if (!device_sum || engines.empty()) {
          return caf::make_error(caf::sec::runtime_error,
                                 std::string("no sum across processes on the GPU"));
        }
        std::vector<float*> grads;
        grads.reserve(engines.size());
        const std::size_t n = engines.front() ? engines.front()->gradient_buffer().size() : 0;
        for (const auto& e : engines) {
          if (!e || e->gradient_buffer().size() != n) {
            return caf::make_error(caf::sec::runtime_error,
                                   std::string("the process's gradients differ in size"));
          }
          grads.push_back(e->gradient_buffer().data());
        }
        auto out = device_sum(iteration, grads, n, count, live);
        if (!out.ok()) return caf::make_error(caf::sec::runtime_error, out.err().message);
        return out.value();
      },
  };
}

}  // namespace sgp::actors
