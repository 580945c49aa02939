// Implementation of the compute actor (see compute_actor.hpp).
#include "actors/compute_actor.hpp"

#include <chrono>

#include "actors/actor_failure.hpp"
#include "actors/sender_actor.hpp"

namespace sgp::actors {
namespace {

using clock_type = std::chrono::steady_clock;

/// Replies to the worker, later when the node is emulated as slow: the
/// extra time passes on a timer, not on a busy core.
void finish_step(compute_handle::stateful_pointer<compute_state> self, std::uint64_t iteration,
                 double loss, double seconds, double wait) {
  auto& s = self->state;
  const double lr = s.engine->step_delta(iteration);
  const double extra = (s.slow_factor - 1.0) * seconds;
  if (extra > 0.0) {
    self->delayed_send(
        s.worker, std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(extra)),
        step_done_atom::value, loss, lr, seconds * s.slow_factor, wait);
  } else {
    self->send(s.worker, step_done_atom::value, loss, lr, seconds, wait);
  }
}

}  // namespace

compute_handle::behavior_type compute_actor(compute_handle::stateful_pointer<compute_state> self,
                                            std::shared_ptr<runtime::compute_engine> engine,
                                            std::shared_ptr<const data::dataset> test,
                                            worker_handle worker, allreduce_handle allreduce,
                                            int node, bool device_grads) {
  exit_on_exception(self, "node " + std::to_string(node) + " compute");
  auto& s = self->state;
  s.engine = std::move(engine);
  s.test = std::move(test);
  s.worker = std::move(worker);
  s.allreduce = std::move(allreduce);
  s.node = node;
  s.device_grads = device_grads;
  return {
      [=](step_atom, std::uint64_t iteration) {
        auto& st = self->state;
        const auto start = clock_type::now();
        const float loss = st.engine->gradient(iteration);
        const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
        if (st.allreduce) {
          st.pending = true;
          st.pending_iteration = iteration;
          st.pending_loss = loss;
          st.pending_seconds = seconds;
          st.pending_since = clock_seconds(self);
          // On the device path the gradient stays in the engine's buffer
          // (forward_backward synchronised its stream): no host copy.
          shared_floats g;
          if (!st.device_grads) {
            g = std::make_shared<const std::vector<float>>(st.engine->gradient_copy());
          }
          self->send(st.allreduce, grad_atom::value, st.node, iteration, std::move(g));
          return;
        }
        finish_step(self, iteration, loss, seconds, 0.0);
      },
      [=](avg_grad_atom, const shared_floats& g, std::uint64_t iteration) {
        auto& st = self->state;
        if (!st.pending || iteration != st.pending_iteration) return;  // stale
        // Null: averaged in place on the device, ahead of step_delta on the
        // same stream.
        if (g) st.engine->set_gradient(*g);
        st.device_grads = !g;
        st.pending = false;
        // The time the AllReduce took is this iteration's communication wait.
        finish_step(self, iteration, st.pending_loss, st.pending_seconds,
                    clock_seconds(self) - st.pending_since);
      },
      [=](slow_atom, double factor) { self->state.slow_factor = factor; },
      [=](eval_atom, const shared_floats& z, const std::vector<float>& running_stats) {
        auto& st = self->state;
        const auto score = st.engine->evaluate(*z, running_stats, *st.test);
        return eval_result{st.node, score.accuracy, score.loss};
      },
      [=](momentum_atom) { return self->state.engine->momentum_copy(); },
      [=](state_atom) {
        // Between two steps (this actor runs one handler at a time): the
        // momentum and statistics of the last step it finished.
        auto& engine = *self->state.engine;
        auto out = std::make_shared<core::optimizer_state>();
        out->momentum = engine.momentum_copy();
        out->running_stats = engine.running_stats_copy();
        return std::shared_ptr<const core::optimizer_state>(std::move(out));
      },
      [=](final_atom) {
        // The node's batch-norm statistics (for checkpoints and the averaged model).
        return self->state.engine->running_stats_copy();
      },
  };
}

}  // namespace sgp::actors
