// Implementation of run_cluster_process (see cluster_run.hpp).
#include "actors/cluster_run.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "actors/bridge_actor.hpp"
#include "actors/http_server.hpp"
#include "actors/process_host.hpp"
#include "actors/push_out_actor.hpp"
#include "actors/scheduler_setup.hpp"
#include "core/hmac.hpp"
#include "core/incarnation.hpp"
#include "core/log.hpp"
#include "core/units.hpp"
#include "gpu/backend_factory.hpp"
#include "gpu/process_sum.hpp"
#include "net/rendezvous_store.hpp"
#include "net/tcp/tcp_transport.hpp"
#include "runtime/datasets.hpp"

#ifdef SGP_HAVE_GLOO
#include "net/gloo/gloo_allreduce.hpp"
#endif

namespace sgp::actors {
namespace {

/// Frames from the transport's I/O thread to the bridge. Frames that come
/// before the bridge exists (a fast peer's settings, heartbeats) wait here.
class frame_sink {
 public:
  void set(caf::actor target) {
    std::lock_guard lock(mutex_);
    target_ = std::move(target);
    if (!target_) return;
    for (auto& f : early_) caf::anon_send(target_, frame_atom::value, std::move(f));
    early_.clear();
  }
  void close() {
    std::lock_guard lock(mutex_);
    target_ = caf::actor{};
    closed_ = true;
  }
  void post(net::received_frame f) {
    std::lock_guard lock(mutex_);
    if (target_) {
      caf::anon_send(target_, frame_atom::value, std::move(f));
    } else if (!closed_ && early_.size() < max_early) {
      early_.push_back(std::move(f));
    }
  }

 private:
  static constexpr std::size_t max_early = 1024;
  std::mutex mutex_;
  caf::actor target_;
  std::vector<net::received_frame> early_;
  bool closed_ = false;
};

/// The first IPv4/IPv6 address of `host` as text (an address stays as it is).
core::result<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return core::make_error("cannot resolve host '" + host + "': " + ::gai_strerror(rc));
  }
  char text[NI_MAXHOST] = {};
  const int rc = ::getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof(text), nullptr, 0,
                               NI_NUMERICHOST);
  ::freeaddrinfo(found);
  if (rc != 0) return core::make_error("cannot resolve host '" + host + "'");
  return std::string(text);
}

/// The hello's proof: HMAC-SHA256 under the cluster secret of the
/// receiving side's challenge, the nonce and the settings hash (the secret
/// itself never crosses the wire; a hello proves one connection only).
std::array<std::uint8_t, 32> proof_of(const std::string& secret, std::uint64_t challenge,
                                      std::uint64_t nonce, std::uint64_t settings_hash) {
  std::array<std::uint8_t, 24> message{};
  std::memcpy(message.data(), &challenge, 8);
  std::memcpy(message.data() + 8, &nonce, 8);
  std::memcpy(message.data() + 16, &settings_hash, 8);
  return core::hmac_sha256(std::span<const std::uint8_t>(
                               reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
                           message);
}

/// The join check of a peer's hello, with one log line per refused peer and reason.
struct hello_check {
  cluster_layout layout;
  std::mutex mutex;
  std::set<std::pair<std::uint32_t, int>> logged;

  bool operator()(const net::wire::hello& h, const std::string& from, std::uint64_t challenge) {
    const auto& me = layout.processes[layout.self].name;
    int why = 0;
    std::string text;
    if (h.process >= layout.processes.size() || h.process == layout.self) {
      why = 1;
      text = "a hello from an unknown process index " + std::to_string(h.process);
    } else {
      const auto& them = layout.processes[h.process].name;
      if (h.program_version != layout.program_version) {
        why = 2;
        text = "process " + them + " runs program version " + std::to_string(h.program_version) +
               ", process " + me + " runs " + std::to_string(layout.program_version);
      } else {
        // Settings are compared after the hello, by their text (the bridge
        // names the first key that differs); the proof covers the hash the
        // peer sent.
        const auto expected = proof_of(layout.secret, challenge, h.nonce, h.settings_hash);
        if (!core::digest_equal(expected, h.proof)) {
          why = 4;
          text = "process " + them + " presented a wrong cluster secret";
        }
      }
    }
    if (why == 0) return true;
    std::lock_guard lock(mutex);
    if (logged.insert({h.process, why}).second) {
      core::logf(core::log_level::warn, "cluster", {}, "refused a peer at %s: %s", from.c_str(),
                 text.c_str());
    }
    return false;
  }
};

std::string error_text(caf::actor_system& sys, const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0)) return ctx.get_as<std::string>(0);
  return sys.render(e);
}

}  // namespace

core::result<cluster_outcome> run_cluster_process(const config::config& cfg,
                                                  const config::settings& set,
                                                  const cluster_layout& layout,
                                                  const std::atomic<int>* stop_signal) {
  const auto& me = layout.processes.at(layout.self);
  std::vector<std::uint32_t> node_process;
  std::vector<std::string> names;
  for (std::uint32_t p = 0; p < layout.processes.size(); ++p) {
    names.push_back(layout.processes[p].name);
    for (int k = 0; k < layout.processes[p].nodes; ++k) node_process.push_back(p);
  }
  // Every peer's address first: a typo fails here, before any work.
  std::vector<std::string> addresses(layout.processes.size());
  for (std::size_t p = 0; p < layout.processes.size(); ++p) {
    auto a = resolve(layout.processes[p].host);
    if (!a.ok()) return a.err().with_context("cluster.process " + layout.processes[p].name);
    addresses[p] = *a;
  }
  auto sets = runtime::load_datasets(cfg.data, set.data, cfg.run.seed);
  if (!sets.ok()) return sets.err();

  // CAF's idle scheduler threads poll for work; with several processes on
  // one host each polling on every core they take the CPU that Gloo's and
  // the transport's threads need (4 processes on 2 cores: ar-sgd 1.08 s
  // per iteration with CAF's default, 0.58 with 2 threads each;
  // docs/performance.md, sessions 19 and 21). A process's share of the
  // host's threads instead, quiet when they still outnumber its cores, or
  // cluster.actor_threads and cluster.actor_polling (processes that share a
  // host under addresses of their own: containers, network namespaces).
  const std::size_t same_host = static_cast<std::size_t>(
      std::count(addresses.begin(), addresses.end(), addresses[layout.self]));
  const auto scheduler = scheduler_in_cluster(cfg.cluster.actor_threads, set.cluster.actor_polling,
                                              std::thread::hardware_concurrency(), same_host);
  if (!scheduler.why.empty())
    core::logf(core::log_level::info, "cluster", {}, "%s", scheduler.why.c_str());
  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg, scheduler);
  caf::actor_system sys{sys_cfg};

  net::tcp::tcp_options options;
  options.process = static_cast<std::uint32_t>(layout.self);
  options.listen_host = addresses[layout.self];
  if (std::strncmp(options.listen_host.c_str(), "127.", 4) != 0 && options.listen_host != "::1") {
    options.listen_host = options.listen_host.find(':') != std::string::npos ? "::" : "0.0.0.0";
  }
  options.listen_port = static_cast<std::uint16_t>(me.port);
  options.stall_timeout = std::chrono::milliseconds(
      static_cast<long>(1000 * std::max(2.0, 2 * layout.process_timeout)));
  options.hello.program_version = layout.program_version;
  options.hello.settings_hash = layout.settings_hash;
  // This life of the process (its start time, past the previous life's
  // recorded in its run directory): a restarted process has a new one, and
  // rejoins a running cluster with it (docs/cluster.md, "Rejoining"). It is
  // the hello's nonce, so the proof differs per life and the bridge knows
  // which life a frame's connection belongs to.
  const auto incarnation_file = cfg.run.dir + "/" + me.name + "/incarnation";
  const auto previous = core::read_incarnation(incarnation_file);
  const auto incarnation = core::next_incarnation(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()),
      previous);
  {
    std::error_code ec;
    std::filesystem::create_directories(cfg.run.dir + "/" + me.name, ec);
    if (auto st = core::write_incarnation(incarnation_file, incarnation); !st.ok()) {
      return st.err().with_context("process " + me.name);
    }
  }
  options.hello.nonce = incarnation;
  options.prove = [secret = layout.secret, nonce = incarnation, hash = layout.settings_hash](
                      std::uint64_t challenge) { return proof_of(secret, challenge, nonce, hash); };
  auto check = std::make_shared<hello_check>();
  check->layout = layout;
  options.accept_hello = [check](const net::wire::hello& h, const std::string& from,
                                 std::uint64_t challenge) { return (*check)(h, from, challenge); };
  auto sink = std::make_shared<frame_sink>();
  auto started = net::tcp::tcp_transport::start(
      options, [sink](net::received_frame f) { sink->post(std::move(f)); });
  if (!started.ok()) {
    return started.err().with_context("process " + me.name + " (cluster.process port)");
  }
  std::unique_ptr<net::tcp::tcp_transport> transport = std::move(started).value();

  process_host_setup hs;
  hs.cfg = cfg;
  hs.incarnation = incarnation;
  auto restart = std::make_shared<std::atomic<bool>>(false);
  hs.restart = restart;
  hs.process = static_cast<std::uint32_t>(layout.self);
  hs.names = names;
  hs.node_process = node_process;
  hs.devices = me.devices;
  hs.dir = cfg.run.dir + "/" + me.name;
  hs.settings = set;
  // ar-sgd: Gloo's rendezvous goes over the bridge's notices (no shared
  // filesystem, no port but Gloo's own listening socket).
  auto store = std::make_shared<net::rendezvous_store>(static_cast<std::uint32_t>(layout.self));
  // A silent peer with its connection open is dead after five timeouts
  // (the bridge): a sum waits as long before it fails.
  const double deadline = 5.0 * layout.process_timeout;
  hs.view_wait_seconds = deadline + 5.0;
  // This process's first GPU: its pinned memory, its NCCL rank.
  const auto& gpus = me.devices.empty() ? cfg.backend.devices : me.devices;
  const int first_gpu = gpus.empty() ? 0 : gpus.front();
  // NCCL puts no two ranks on one GPU: another process of this host whose
  // first GPU is ours leaves the sum to Gloo.
  std::string shares_gpu;
  for (std::size_t p = 0; p < layout.processes.size(); ++p) {
    if (p == layout.self || addresses[p] != addresses[layout.self]) continue;
    const auto& theirs =
        layout.processes[p].devices.empty() ? cfg.backend.devices : layout.processes[p].devices;
    if ((theirs.empty() ? 0 : theirs.front()) == first_gpu) shares_gpu = layout.processes[p].name;
  }
  if (set.algorithm.name == config::algorithm_kind::ar_sgd && cfg.backend.name == "cuda" &&
      !shares_gpu.empty()) {
    core::logf(core::log_level::warn, "ar-sgd", {},
               "processes %s and %s use GPU %d of one host, and NCCL takes one process per GPU: "
               "Gloo sums across processes instead (give each process devices of its own)",
               me.name.c_str(), shares_gpu.c_str(), first_gpu);
  } else if (set.algorithm.name == config::algorithm_kind::ar_sgd && cfg.backend.name == "cuda") {
    // On GPUs the sum goes over NCCL (NVLink, PCIe or NCCL's network
    // transports), its rendezvous over the same store.
    gpu::process_sum_setup ps;
    ps.process = static_cast<std::uint32_t>(layout.self);
    ps.names = names;
    ps.device = first_gpu;
    ps.timeout = std::chrono::milliseconds(static_cast<long>(1000 * deadline));
    ps.publish = [store](const std::string& key, const std::vector<char>& value) {
      store->set(key, value);
    };
    ps.fetch = [store](const std::string& key, std::chrono::milliseconds timeout) {
      return store->get(key, timeout);
    };
    auto nccl = gpu::make_nccl_process_sum(std::move(ps));
    if (nccl.ok()) {
      std::shared_ptr<gpu::process_sum> sum = std::move(nccl).value();
      hs.sum_across_engine = sum->describe();
      hs.sum_across = [sum](std::uint64_t iteration, std::vector<double> values,
                            const std::vector<bool>& live) {
        return sum->sum(iteration, std::move(values), live);
      };
      hs.sum_across_device = [sum](std::uint64_t iteration, std::span<float* const> grads,
                                   std::size_t n, double count, const std::vector<bool>& live) {
        return sum->average_on_device(iteration, grads, n, count, live);
      };
    } else {
      core::logf(core::log_level::warn, "ar-sgd", {}, "%s: Gloo sums across processes instead",
                 nccl.err().message.c_str());
    }
  }
#ifdef SGP_HAVE_GLOO
  if (set.algorithm.name == config::algorithm_kind::ar_sgd && !hs.sum_across) {
    net::gloo_setup gs;
    gs.process = static_cast<std::uint32_t>(layout.self);
    gs.names = names;
    gs.host = addresses[layout.self];
    gs.timeout = std::chrono::milliseconds(static_cast<long>(1000 * deadline));
    auto gloo = std::make_shared<net::gloo_allreduce>(gs, store);
    hs.sum_across = [gloo](std::uint64_t iteration, std::vector<double> values,
                           const std::vector<bool>& live) {
      return gloo->sum(iteration, std::move(values), live);
    };
  }
#endif
  auto host =
      sys.spawn(process_host, hs, std::make_shared<const data::dataset>(std::move(sets->train)),
                std::make_shared<const data::dataset>(std::move(sets->test)));
  auto page = start_status_page(sys, host, cfg);
  if (!page.ok()) {
    caf::anon_send_exit(host, caf::exit_reason::kill);
    return page.err();
  }
  bridge_setup bs;
  bs.process = static_cast<std::uint32_t>(layout.self);
  bs.process_names = names;
  bs.node_process = node_process;
  bs.precision = set.algorithm.compression == config::compression::bf16
                     ? core::delta_precision::bf16
                     : core::delta_precision::f32;
  // Pinned on one of this process's GPUs (no context on GPU 0 for it).
  bs.pinning = gpu::host_pinning_of(cfg.backend.name, first_gpu);
  bs.process_timeout = layout.process_timeout;
  bs.join_timeout = layout.join_timeout;
  bs.settings = layout.settings;
  bs.store = store;
  bs.incarnation = incarnation;
  push_out_setup ps;
  ps.process = bs.process;
  ps.processes = names.size();
  ps.node_process = node_process;
  ps.precision = bs.precision;
  ps.pinning = bs.pinning;
  // On a thread of its own: its work per push runs beside the bridge's.
  auto push_out = sys.spawn<caf::detached>(push_out_actor, ps,
                                           static_cast<net::frame_transport*>(transport.get()));
  auto bridge = sys.spawn(bridge_actor, bs, static_cast<net::frame_transport*>(transport.get()),
                          host, push_out);
  store->set_publisher([bridge](const net::wire::notice& n) {
    caf::anon_send(bridge, notice_atom::value, all_processes, n);
  });
  sink->set(bridge);
  for (std::size_t p = 0; p < layout.processes.size(); ++p) {
    if (p == layout.self) continue;
    transport->add_peer(static_cast<std::uint32_t>(p), addresses[p],
                        static_cast<std::uint16_t>(layout.processes[p].port));
  }

  core::result<cluster_outcome> out = core::make_error("the run ended without a result");
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (stop_signal != nullptr && stop_signal->load() != 0) {
        caf::anon_send(host, stop_atom::value);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  {
    caf::scoped_actor self{sys};
    self->request(host, caf::infinite, start_atom::value, bridge, push_out)
        .receive(
            [&](const runtime::run_summary& s) {
              cluster_outcome o;
              o.coordinator = !s.algorithm.empty();
              o.summary = s;
              out = o;
            },
            [&](const caf::error& e) {
              if (restart->load()) {
                cluster_outcome o;
                o.restart = true;
                o.why = error_text(sys, e);
                out = o;
              } else {
                out = core::make_error(error_text(sys, e));
              }
            });
    // The last notices (finish, abort) leave before the connections close.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (bool queued = true; queued && std::chrono::steady_clock::now() < deadline;) {
      queued = false;
      for (std::size_t p = 0; p < layout.processes.size(); ++p) {
        if (p != layout.self && transport->stats(static_cast<std::uint32_t>(p)).queued_frames > 0)
          queued = true;
      }
      if (queued) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    sink->close();
    self->send_exit(bridge, caf::exit_reason::user_shutdown);
    self->send_exit(push_out, caf::exit_reason::user_shutdown);
    self->wait_for(bridge, push_out);
    self->send_exit(host, caf::exit_reason::user_shutdown);
  }
  store->set_publisher(nullptr);  // the bridge is gone
  done = true;
  watcher.join();
  page->reset();  // before the actor system goes
  transport.reset();
  return out;
}

}  // namespace sgp::actors
