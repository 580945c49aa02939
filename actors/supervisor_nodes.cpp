// The supervisor's nodes: compute engines, the AllReduce actor, and each
// node's worker, compute and sender actors (see supervisor_state.hpp).
#include <cstdio>
#include <tuple>

#include "actors/allreduce_actor.hpp"
#include "actors/compute_actor.hpp"
#include "actors/sender_actor.hpp"
#include "actors/supervisor_state.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "gpu/device_allreduce.hpp"

namespace sgp::actors {
namespace {

/// Node `id`'s compute engine, on its GPU (backend.devices[id % size]).
core::result<std::shared_ptr<runtime::compute_engine>> make_engine(supervisor_ptr self, int id) {
  auto& s = self->state;
  auto setup = s.compute;
  setup.node = id;
  const auto& devices = s.cfg.backend.devices;
  setup.device = devices[static_cast<std::size_t>(id) % devices.size()];
  auto created = runtime::compute_engine::create(setup, s.train);
  if (!created.ok()) return created.err();
  return std::shared_ptr<runtime::compute_engine>(std::move(created).value());
}

/// Whether compute actors get threads of their own (backend.compute_threads).
/// auto: a GPU step blocks its thread until the device is done (the loss
/// comes back to the host), for most of the step, and on the shared
/// scheduler nodes' steps would hold every scheduler thread while workers
/// wait to apply pushes and start the next step; CPU steps keep the
/// scheduler, which runs as many as there are cores. (Tests under CAF's
/// deterministic scheduler choose "shared" themselves.)
bool compute_on_own_thread(supervisor_ptr self) {
  const auto& b = self->state.settings.backend;
  if (b.compute_threads == config::compute_threads::own) return true;
  if (b.compute_threads == config::compute_threads::shared) return false;
  return b.name != config::backend_kind::cpu;
}

}  // namespace

core::result<engine_list> make_engines(supervisor_ptr self) {
  engine_list engines(self->state.n);
  for (std::size_t i = 0; i < engines.size(); ++i) {
    auto made = make_engine(self, static_cast<int>(i));
    if (!made.ok()) return made.err();
    engines[i] = std::move(made).value();
  }
  return engines;
}

void start_allreduce(supervisor_ptr self, const engine_list& engines) {
  auto& s = self->state;
  std::vector<gpu::backend*> backends;
  backends.reserve(engines.size());
  for (const auto& e : engines) backends.push_back(&e->backend());
  auto made = gpu::make_device_allreduce(backends);
  std::shared_ptr<gpu::device_allreduce> device;
  if (made.ok()) {
    device = std::move(made).value();
    core::log(core::log_level::info, "ar-sgd", device->describe());
  } else {
    core::logf(core::log_level::info, "ar-sgd", {}, "gradients averaged on the host (%s)",
               made.err().message.c_str());
  }
  s.device_grads = device != nullptr;
  // The host path gets the gradients by message: it is given no engine.
  s.allreduce = self->spawn(allreduce_actor, s.links, std::uint64_t{4}, std::move(device),
                            s.device_grads ? engines : engine_list{});
  self->monitor(s.allreduce);
}

core::status spawn_node(supervisor_ptr self, int id, std::shared_ptr<const std::vector<float>> x,
                        double w, std::shared_ptr<runtime::compute_engine> engine) {
  auto& s = self->state;
  if (!engine) {
    auto made = make_engine(self, id);
    if (!made.ok()) return made.err();
    engine = std::move(made).value();
  }
  const caf::actor me = caf::actor_cast<caf::actor>(self);
  auto setup = s.setup;
  if (static_cast<std::size_t>(id) < s.start_at.size()) {
    std::tie(setup.start_iteration, setup.start_round) = s.start_at[static_cast<std::size_t>(id)];
  }
  auto worker = self->spawn(worker_actor, id, engine, std::move(x), w, s.gossip, s.view, setup, me);
  auto compute =
      compute_on_own_thread(self)
          ? self->spawn<caf::detached>(compute_actor, engine, s.test, worker, s.allreduce, id,
                                       s.device_grads)
          : self->spawn(compute_actor, engine, s.test, worker, s.allreduce, id, s.device_grads);
  const double duplicate = s.cfg.network.duplicate;
  const auto seed = core::mix_seed(s.cfg.run.seed + 7919 * static_cast<std::uint64_t>(id) +
                                   s.view.incarnation[static_cast<std::size_t>(id)]);
  auto sender = self->spawn(sender_actor, id, s.links, duplicate, worker, seed);
  self->monitor(worker);
  self->monitor(compute);
  self->monitor(sender);
  s.nodes[static_cast<std::size_t>(id)] = {worker, compute, sender, std::move(engine)};
  s.spawned_at[static_cast<std::size_t>(id)] = clock_seconds(self);
  return {};
}

void start_node(supervisor_ptr self, int id) {
  const auto& n = self->state.nodes[static_cast<std::size_t>(id)];
  self->send(n.worker, start_atom::value, n.compute, n.sender);
}

}  // namespace sgp::actors
