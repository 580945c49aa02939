// Implementation of the process reducer (see process_reducer.hpp).
#include "actors/process_reducer.hpp"

#include "actors/actor_failure.hpp"

namespace sgp::actors {

caf::behavior process_reducer(caf::event_based_actor* self, process_sum_fn sum) {
  exit_on_exception(self, "the process reducer");
  return {
      [=](reduce_atom, std::uint64_t iteration, std::vector<double>& values,
          const std::vector<bool>& live) -> caf::result<std::vector<double>> {
        auto out = sum(iteration, std::move(values), live);
        if (!out.ok()) return caf::make_error(caf::sec::runtime_error, out.err().message);
        return std::move(out).value();
      },
  };
}

}  // namespace sgp::actors
