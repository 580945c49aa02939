// Gloo's allreduce over the live processes (see gloo_allreduce.hpp).
#include "net/gloo/gloo_allreduce.hpp"

#include <gloo/allreduce.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>

#include <algorithm>
#include <stdexcept>

#include "core/f32_saturate.hpp"
#include "core/live_ranks.hpp"
#include "core/log.hpp"

namespace sgp::net {
namespace {

/// Gloo's Store over the notice store; a missing key throws (Gloo's way).
class notice_store_adapter : public gloo::rendezvous::Store {
 public:
  notice_store_adapter(rendezvous_store& store, std::chrono::milliseconds timeout)
      : store_(store), timeout_(timeout) {}
  void set(const std::string& key, const std::vector<char>& data) override {
    store_.set(key, data);
  }
  std::vector<char> get(const std::string& key) override {
    auto v = store_.get(key, timeout_);
    if (!v.ok()) throw std::runtime_error(v.err().message);
    return std::move(v).value();
  }
  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }
  void wait(const std::vector<std::string>& keys,
            const std::chrono::milliseconds& timeout) override {
    if (auto st = store_.wait(keys, std::min(timeout, timeout_)); !st.ok())
      throw std::runtime_error(st.err().message);
  }

 private:
  rendezvous_store& store_;
  std::chrono::milliseconds timeout_;
};

// Tags keep the collectives of one generation apart (a mismatch fails
// within the deadline instead of mixing buffers).
constexpr std::uint32_t tag_agree = 1;
constexpr std::uint32_t tag_root = 2;
constexpr std::uint32_t tag_broadcast = 3;
constexpr std::uint32_t tag_sum = 4;

void allreduce_in_place(const std::shared_ptr<gloo::Context>& context, std::vector<double>& v,
                        std::uint32_t tag, bool max) {
  gloo::AllreduceOptions opts(context);
  opts.setInput(v.data(), v.size());
  opts.setOutput(v.data(), v.size());
  opts.setReduceFunction(
      max ? static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::max<double>)
          : static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<double>));
  opts.setTag(tag);
  opts.setTimeout(context->getTimeout());
  gloo::allreduce(opts);
}

/// The sum of `v` over the members, on the wire in fp32 (half the bytes of
/// f64, as NCCL and PyTorch DDP sum gradients): each process's f64 partial
/// sum is rounded to fp32 (saturating), and the ring adds in fp32, rounding
/// at each hop. Every member gets the same bits back (Gloo's ring finishes
/// each chunk on one rank and hands it on unchanged), so replicas stay
/// identical.
/// `wire` is the caller's buffer, kept between sums: a fresh model-sized
/// one per iteration would be page-faulted in every time. It holds the
/// fp32 sum afterwards.
void sum_in_place_f32(const std::shared_ptr<gloo::Context>& context, std::vector<double>& v,
                      std::vector<float>& wire) {
  wire.resize(v.size());
  core::round_f32_saturating(v, wire);
  gloo::AllreduceOptions opts(context);
  opts.setInput(wire.data(), wire.size());
  opts.setOutput(wire.data(), wire.size());
  opts.setReduceFunction(
      static_cast<void (*)(void*, const void*, const void*, size_t)>(&gloo::sum<float>));
  opts.setTag(tag_sum);
  opts.setTimeout(context->getTimeout());
  opts.setMaxSegmentSize(
      ring_segment_bytes(wire.size() * sizeof(float), static_cast<std::size_t>(context->size)));
  gloo::allreduce(opts);
  core::widen_f32(wire, v);
}

}  // namespace

std::size_t ring_segment_bytes(std::size_t bytes, std::size_t ranks) {
  constexpr std::size_t lo = std::size_t{64} << 10;
  constexpr std::size_t hi = std::size_t{1} << 20;
  return std::clamp(bytes / (8 * std::max<std::size_t>(ranks, 1)), lo, hi);
}

gloo_allreduce::gloo_allreduce(gloo_setup setup, std::shared_ptr<rendezvous_store> store)
    : setup_(std::move(setup)), store_(std::move(store)) {}

gloo_allreduce::~gloo_allreduce() = default;

std::string gloo_allreduce::members_text() const {
  std::string text;
  for (std::size_t p = 0; p < members_.size(); ++p) {
    if (members_[p]) text += (text.empty() ? "" : ", ") + setup_.names[p];
  }
  return text;
}

core::status gloo_allreduce::build(const std::vector<bool>& live) {
  context_.reset();
  built_ = false;
  members_ = live;
  const auto [rank, size, mask, member] = core::live_ranks_of(live, setup_.process);
  if (!member) {
    return core::make_error("process " + setup_.names.at(setup_.process) +
                            " is not among the live processes");
  }
  ++generation_;
  if (size > 1) {
    try {
      if (!device_) {
        gloo::transport::tcp::attr attr;
        attr.hostname = setup_.host;
        device_ = gloo::transport::tcp::CreateDevice(attr);
      }
      auto context = std::make_shared<gloo::rendezvous::Context>(rank, size);
      context->setTimeout(setup_.timeout);
      notice_store_adapter adapter(*store_, setup_.timeout);
      gloo::rendezvous::PrefixStore prefixed("ar/" + mask + "/", adapter);
      context->connectFullMesh(prefixed, device_);
      context_ = std::move(context);
    } catch (const std::exception& e) {
      return core::make_error("Gloo's rendezvous over processes " + members_text() +
                              " failed: " + e.what());
    }
  }
  built_ = true;
  core::logf(core::log_level::info, "ar-sgd", {.process = setup_.names[setup_.process]},
             "%s processes %s (rank %d of %d, generation %d)",
             generation_ == 1 ? "Gloo context over" : "rebuilt over the surviving",
             members_text().c_str(), rank, size, generation_);
  return {};
}

std::optional<std::vector<double>> gloo_allreduce::agree(std::uint64_t iteration,
                                                         std::size_t size) {
  std::vector<double> where{static_cast<double>(iteration), -static_cast<double>(iteration)};
  allreduce_in_place(context_, where, tag_agree, true);
  const double highest = where[0];
  const double lowest = -where[1];
  if (highest == lowest) return std::nullopt;
  if (highest - lowest > 1.0) {
    throw std::runtime_error("the live processes are more than one iteration apart (" +
                             std::to_string(lowest) + " and " + std::to_string(highest) + ")");
  }
  const bool ahead = static_cast<double>(iteration) == highest;
  const bool holds =
      has_last_ && static_cast<double>(last_iteration_) == lowest && last_.size() == size;
  if (ahead && !holds) {
    throw std::runtime_error("process " + setup_.names[setup_.process] +
                             " is ahead but does not hold the sum of iteration " +
                             std::to_string(static_cast<std::uint64_t>(lowest)));
  }
  std::vector<double> sums(size, 0.0);
  if (ahead) core::widen_f32(last_, sums);
  // The lowest rank ahead broadcasts the sum it applied.
  std::vector<double> root{ahead ? -static_cast<double>(context_->rank) : -1e18};
  allreduce_in_place(context_, root, tag_root, true);
  gloo::BroadcastOptions opts(context_);
  if (context_->rank == static_cast<int>(-root[0])) opts.setInput(sums.data(), sums.size());
  opts.setOutput(sums.data(), sums.size());
  opts.setRoot(static_cast<int>(-root[0]));
  opts.setTag(tag_broadcast);
  opts.setTimeout(context_->getTimeout());
  gloo::broadcast(opts);
  if (ahead) return std::nullopt;
  core::logf(core::log_level::info, "ar-sgd", {.process = setup_.names[setup_.process]},
             "iteration %llu was completed by a survivor before the failure: its sum applied",
             static_cast<unsigned long long>(iteration));
  return sums;
}

core::result<std::vector<double>> gloo_allreduce::sum(std::uint64_t iteration,
                                                      std::vector<double> values,
                                                      const std::vector<bool>& live) {
  bool fresh = false;
  if (!built_ || live != members_) {
    if (auto st = build(live); !st.ok()) return st.err();
    fresh = true;
  }
  if (context_) {
    try {
      std::optional<std::vector<double>> done;
      if (fresh) done = agree(iteration, values.size());
      if (done) {
        values = std::move(*done);
        // A survivor's sum, widened from fp32: rounding it back is exact.
        last_.resize(values.size());
        core::round_f32_saturating(values, last_);
      } else {
        sum_in_place_f32(context_, values, wire_);
        std::swap(last_, wire_);  // the sum is kept without a copy
      }
      last_iteration_ = iteration;
      has_last_ = true;
    } catch (const std::exception& e) {
      context_.reset();
      built_ = false;
      return core::make_error("Gloo's allreduce of iteration " + std::to_string(iteration) +
                              " over processes " + members_text() + " failed: " + e.what());
    }
  }
  // Alone, nothing is kept: the members only shrink (a restarted process
  // stays out of ar-sgd), so no one can be behind this process again.
  if (!context_) has_last_ = false;
  return values;
}

}  // namespace sgp::net
