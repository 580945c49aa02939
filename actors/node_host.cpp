// The node host: engines, node actors, the AllReduce actor (see
// node_host.hpp).
#include "actors/node_host.hpp"

#include "actors/allreduce_actor.hpp"
#include "actors/compute_actor.hpp"
#include "actors/sender_actor.hpp"
#include "core/log.hpp"
#include "gpu/backend_factory.hpp"
#include "gpu/device_allreduce.hpp"

namespace sgp::actors {

void node_host::configure(std::shared_ptr<const data::dataset> train,
                          std::shared_ptr<const data::dataset> test, runtime::compute_setup compute,
                          std::vector<int> devices, bool own_compute_threads, std::size_t n) {
  train_ = std::move(train);
  test_ = std::move(test);
  compute_ = std::move(compute);
  devices_ = std::move(devices);
  own_compute_threads_ = own_compute_threads;
  nodes_.assign(n, {});
}

core::result<std::shared_ptr<runtime::compute_engine>> node_host::make_engine(int id) const {
  auto setup = compute_;
  setup.node = id;
  setup.device = devices_[static_cast<std::size_t>(id) % devices_.size()];
  auto created = runtime::compute_engine::create(setup, train_);
  if (!created.ok()) return created.err();
  return std::shared_ptr<runtime::compute_engine>(std::move(created).value());
}

core::result<engine_list> node_host::make_engines() const {
  // Pushes between this process's GPUs are copied peer to peer
  // (gpu/cuda/device_mass_space.cpp): enabled once, before any node runs.
  std::vector<int> used;  // only the GPUs the nodes use: access makes a context on each
  for (std::size_t i = 0; i < nodes_.size() && !devices_.empty(); ++i) {
    used.push_back(devices_[i % devices_.size()]);
  }
  auto peers = gpu::enable_peer_access(compute_.backend, std::move(used));
  if (!peers.ok()) return peers.err();
  if (!peers.value().empty()) core::log(core::log_level::info, "gpu", peers.value());
  engine_list engines(nodes_.size());
  for (std::size_t i = 0; i < engines.size(); ++i) {
    auto made = make_engine(static_cast<int>(i));
    if (!made.ok()) return made.err();
    engines[i] = std::move(made).value();
  }
  return engines;
}

void node_host::start_allreduce(supervisor_handle::pointer self, const net::link_emulator& links,
                                const engine_list& engines) {
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
  device_grads_ = device != nullptr;
  // The host path gets the gradients by message: it is given no engine.
  allreduce_ = self->spawn(allreduce_actor, links, std::uint64_t{4}, std::move(device),
                           device_grads_ ? engines : engine_list{});
  self->monitor(allreduce_);
}

core::status node_host::spawn(supervisor_handle::pointer self, int id,
                              std::shared_ptr<const std::vector<float>> x, double w,
                              std::shared_ptr<runtime::compute_engine> engine, node_start start) {
  if (!engine) {
    auto made = make_engine(id);
    if (!made.ok()) return made.err();
    engine = std::move(made).value();
  }
  const node_owner_handle me{self};
  auto worker = self->spawn(worker_actor, id, engine, std::move(x), w, std::move(start.gossip),
                            std::move(start.view), start.setup, me);
  // Compute actors on threads of their own: a GPU step blocks its thread
  // until the loss is back (docs/design.md §2, backend.compute_threads).
  auto compute =
      own_compute_threads_
          ? self->spawn<caf::detached>(compute_actor, engine, test_, worker, allreduce_, id,
                                       device_grads_)
          : self->spawn(compute_actor, engine, test_, worker, allreduce_, id, device_grads_);
  auto sender = self->spawn(sender_actor, id, std::move(start.links), start.duplicate, worker,
                            start.seed, start.wire_type);
  self->monitor(worker);
  self->monitor(compute);
  self->monitor(sender);
  nodes_[static_cast<std::size_t>(id)] = {worker, compute, sender, std::move(engine)};
  return {};
}

void node_host::start(supervisor_handle::pointer self, int id) const {
  const auto& n = nodes_[static_cast<std::size_t>(id)];
  self->send(n.worker, start_atom::value, n.compute, n.sender);
}

void node_host::send_view(supervisor_handle::pointer self, const core::membership_view& view) {
  const std::size_t n = nodes_.size();
  std::vector<push_handle> workers(n);
  std::vector<compute_handle> computes(n);
  engine_list engines(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!view.live[i]) {
      nodes_[i].engine.reset();  // a dead node's engine goes with its actors
      continue;
    }
    workers[i] = nodes_[i].worker;
    computes[i] = nodes_[i].compute;
    if (device_grads_) engines[i] = nodes_[i].engine;  // the device path's buffers
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!view.live[i]) continue;
    self->send(nodes_[i].worker, view_atom::value, view);
    self->send(nodes_[i].sender, view_atom::value, workers);
  }
  if (allreduce_) self->send(allreduce_, view_atom::value, computes, view.live, engines);
}

void node_host::send_links(supervisor_handle::pointer self, const std::vector<bool>& live,
                           const link_update& u) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (live[i]) self->send(nodes_[i].sender, links_atom::value, u);
  }
  if (allreduce_) self->send(allreduce_, links_atom::value, u);
}

void node_host::stop_all(supervisor_handle::pointer self) const {
  const auto stop = [self](const auto& a) {
    if (a) self->send_exit(a, caf::exit_reason::user_shutdown);
  };
  for (const auto& n : nodes_) {
    stop(n.worker);
    stop(n.compute);
    stop(n.sender);
  }
  if (allreduce_) self->send_exit(allreduce_, caf::exit_reason::user_shutdown);
}

}  // namespace sgp::actors
