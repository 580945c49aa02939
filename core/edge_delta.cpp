// Rounded deltas against the acknowledged cumulative sum: both ends of an edge.
#include "core/edge_delta.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/assert.hpp"
#include "core/bf16.hpp"
#include "core/parallel_chunks.hpp"

namespace sgp::core {
namespace {

static_assert(std::endian::native == std::endian::little, "wire values are little-endian");

constexpr float bf16_max = 3.38953139e38f;  // 0x7f7f

/// `diff` rounded to the wire type, saturating; NaN becomes 0.
void put_value(std::uint8_t* out, double diff, delta_precision p) {
  constexpr double fmax = std::numeric_limits<float>::max();
  if (std::isnan(diff)) diff = 0.0;
  diff = std::clamp(diff, -fmax, fmax);
  float f = static_cast<float>(diff);
  std::uint32_t bits = 0;
  if (p == delta_precision::f32) {
    std::memcpy(out, &f, 4);
    return;
  }
  f = round_to_bf16(f);
  if (std::isinf(f)) f = std::signbit(f) ? -bf16_max : bf16_max;
  std::memcpy(&bits, &f, 4);
  const auto top = static_cast<std::uint16_t>(bits >> 16);
  std::memcpy(out, &top, 2);
}

}  // namespace

double delta_value(std::span<const std::uint8_t> values, delta_precision p, std::size_t i) {
  float f = 0.0f;
  if (p == delta_precision::f32) {
    std::memcpy(&f, values.data() + 4 * i, 4);
  } else {
    std::uint16_t top = 0;
    std::memcpy(&top, values.data() + 2 * i, 2);
    const std::uint32_t bits = std::uint32_t{top} << 16;
    std::memcpy(&f, &bits, 4);
  }
  return static_cast<double>(f);
}

delta_sender::delta_sender(std::size_t size, delta_precision precision, std::size_t window,
                           std::shared_ptr<const host_pinning> pinning)
    : precision_(precision),
      window_(window),
      committed_(size, 0.0),
      committed_pin_(std::move(pinning), committed_.data(), size * sizeof(double)),
      acked_(size, 0.0) {
  SGP_ASSERT(window_ >= 1);
}

void delta_sender::commit(std::span<const double> share, double weight) {
  SGP_ASSERT(share.size() == committed_.size());
  for (std::size_t i = 0; i < share.size(); ++i) committed_[i] += share[i];
  committed_w_ += weight;
}

void delta_sender::set_committed(std::span<const double> total, double weight) {
  SGP_ASSERT(total.size() == committed_.size());
  parallel_chunks(total.size(), [&](std::size_t b, std::size_t e) {
    std::copy(total.begin() + static_cast<std::ptrdiff_t>(b),
              total.begin() + static_cast<std::ptrdiff_t>(e),
              committed_.begin() + static_cast<std::ptrdiff_t>(b));
  });
  committed_w_ = weight;
}

void delta_sender::set_committed(const mass_block& total, double weight) {
  SGP_ASSERT(total.size() == committed_.size());
  total.copy_to(committed_);
  committed_w_ = weight;
}

void delta_sender::commit(std::span<const float> share, double weight) {
  SGP_ASSERT(share.size() == committed_.size());
  for (std::size_t i = 0; i < share.size(); ++i) committed_[i] += static_cast<double>(share[i]);
  committed_w_ += weight;
}

double delta_sender::c_after(const std::vector<const sent*>& chain, std::size_t i) const {
  double c = acked_[i];
  for (const sent* p : chain) c = c + delta_value(*p->values, precision_, i);
  return c;
}

std::vector<const delta_sender::sent*> delta_sender::chain_to(std::uint64_t seq) const {
  std::vector<const sent*> chain;
  for (std::uint64_t at = seq; at != acked_seq_;) {
    const auto it =
        std::find_if(pending_.begin(), pending_.end(), [&](const sent& s) { return s.seq == at; });
    // Not pending, or a loop (never built, but a chain is never longer
    // than what is pending).
    if (it == pending_.end() || chain.size() == pending_.size()) return {};
    chain.push_back(&*it);
    at = it->base;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::uint64_t delta_sender::next_base() const {
  if (restart_ || pending_.empty()) return acked_seq_;
  const auto& newest = pending_.back();
  // Its frame started on the wire, or nothing but this end holds its
  // payload any more (written, or dropped): on an in-order link it arrives
  // before the next push. A frame still queued may yet be superseded by
  // the next push: build beside it, on its base. (Relaxed reads: a stale
  // one only picks the sibling; either base is safe, the receiver decides.)
  const auto progress =
      newest.progress ? newest.progress->load(std::memory_order_relaxed) : frame_progress::queued;
  const bool left = progress == frame_progress::on_wire ||
                    (progress == frame_progress::queued && newest.values.use_count() == 1);
  return left ? newest.seq : newest.base;
}

void delta_sender::forget_dropped() {
  // A dropped push never arrives, and nothing is built on one (it never
  // left): it and the pushes built on it can go.
  std::vector<std::uint64_t> gone;
  for (const auto& s : pending_) {
    const bool dropped =
        s.progress && s.progress->load(std::memory_order_relaxed) == frame_progress::dropped;
    const bool on_gone = std::find(gone.begin(), gone.end(), s.base) != gone.end();
    if (dropped || on_gone) gone.push_back(s.seq);
  }
  if (gone.empty()) return;
  std::vector<sent> kept;
  for (auto& s : pending_) {
    if (std::find(gone.begin(), gone.end(), s.seq) == gone.end()) {
      kept.push_back(std::move(s));
    } else {
      recycle(std::move(s.values));
    }
  }
  pending_ = std::move(kept);
}

delta_push delta_sender::push() {
  forget_dropped();
  if (pending_.size() >= window_) {
    // The newest push built on a itself: it applies if the receiver still
    // holds a, and is answered with what it holds otherwise, so a full
    // window always moves on (a push further out may sit on a lost one).
    const auto s = std::find_if(pending_.rbegin(), pending_.rend(),
                                [&](const sent& p) { return p.base == acked_seq_; });
    SGP_ASSERT(s != pending_.rend());  // every chain starts at a
    // No progress: a resend dropped from a queue says nothing about the
    // push itself, which may have arrived long ago.
    return delta_push{s->seq, s->base, s->weight, precision_, size(), s->values, true, {}};
  }
  const std::uint64_t base = next_base();
  if (base == acked_seq_) restart_ = false;
  // The receiver's C at `base`: C_a plus the chain's deltas, added as it adds them.
  const auto chain = chain_to(base);
  const std::size_t b = delta_bytes(precision_);
  auto values = payload_buffer(size() * b);
  parallel_chunks(size(), [&](std::size_t begin, std::size_t end) {
    std::uint8_t* out = values->data();
    if (!chain.empty()) {
      for (std::size_t i = begin; i < end; ++i)
        put_value(out + b * i, committed_[i] - c_after(chain, i), precision_);
      return;
    }
    if (precision_ == delta_precision::f32) {
      // put_value's f32 case, the branch out of the loop so that it vectorises.
      constexpr double fmax = std::numeric_limits<float>::max();
      for (std::size_t i = begin; i < end; ++i) {
        double diff = committed_[i] - acked_[i];
        diff = std::isnan(diff) ? 0.0 : std::clamp(diff, -fmax, fmax);
        const auto f = static_cast<float>(diff);
        std::memcpy(out + 4 * i, &f, 4);
      }
      return;
    }
    for (std::size_t i = begin; i < end; ++i)
      put_value(out + b * i, committed_[i] - acked_[i], precision_);
  });
  sent s{++last_seq_, base, committed_w_, values,
         std::make_shared<std::atomic<frame_progress>>(frame_progress::queued)};
  pending_.push_back(s);
  return delta_push{s.seq, base, s.weight, precision_, size(), s.values, false, s.progress};
}

std::shared_ptr<std::vector<std::uint8_t>> delta_sender::payload_buffer(std::size_t bytes) {
  // A spare that nothing else holds any more (its frames were written or
  // dropped) is written over; every byte is. A model-sized fresh buffer
  // costs a page fault per 4 KiB on first touch.
  for (auto it = spare_.begin(); it != spare_.end(); ++it) {
    if (it->use_count() == 1 && (*it)->size() == bytes) {
      // The last other holder (a frame, on a transport's I/O thread) let go
      // after its last read; use_count() is a relaxed load, the fence orders
      // that read before our writes.
      std::atomic_thread_fence(std::memory_order_acquire);
      auto out = std::move(*it);
      spare_.erase(it);
      return out;
    }
  }
  return std::make_shared<std::vector<std::uint8_t>>(bytes);
}

void delta_sender::recycle(std::shared_ptr<std::vector<std::uint8_t>> values) {
  // A spare still held by a queued frame becomes usable once the frame lets go.
  if (values && spare_.size() < max_spares) spare_.push_back(std::move(values));
}

ack_outcome delta_sender::on_ack(std::uint64_t held) {
  if (held <= acked_seq_) {
    // The receiver still holds a while pushes are pending: one was refused.
    if (held == acked_seq_ && !pending_.empty()) restart_ = true;
    return ack_outcome::stale;
  }
  const auto chain = chain_to(held);
  if (chain.empty()) return ack_outcome::unknown;
  parallel_chunks(size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) acked_[i] = c_after(chain, i);
  });
  acked_w_ = chain.back()->weight;
  acked_seq_ = held;
  // The receiver only moves on from `held`: keep what is built on it.
  std::vector<bool> keep(pending_.size());
  for (std::size_t k = 0; k < pending_.size(); ++k)
    keep[k] = pending_[k].seq > held && !chain_to(pending_[k].seq).empty();
  std::vector<sent> kept;
  for (std::size_t k = 0; k < pending_.size(); ++k) {
    if (keep[k]) {
      kept.push_back(std::move(pending_[k]));
    } else {
      recycle(std::move(pending_[k].values));
    }
  }
  pending_ = std::move(kept);
  return ack_outcome::advanced;
}

delta_receiver::delta_receiver(std::size_t size) : held_(size, 0.0) {}

delta_outcome delta_receiver::check(const delta_push& p, std::size_t x_size) {
  const auto bytes = p.bytes();
  if (p.count != held_.size() || x_size != held_.size() ||
      bytes.size() != p.count * delta_bytes(p.precision) ||
      (!p.values && bytes.data() == nullptr) || !std::isfinite(p.weight))
    return delta_outcome::malformed;
  if (p.seq <= held_seq_) return delta_outcome::stale;
  if (p.base != held_seq_) return delta_outcome::base_mismatch;
  // Check every value before touching any state; the apply decodes again
  // (one more read of the payload is cheaper than a model-sized scratch).
  std::atomic<bool> finite{true};
  parallel_chunks(held_.size(), [&](std::size_t begin, std::size_t end) {
    bool ok = true;
    for (std::size_t i = begin; i < end; ++i)
      ok = ok && std::isfinite(delta_value(bytes, p.precision, i));
    if (!ok) finite = false;
  });
  return finite ? delta_outcome::applied : delta_outcome::malformed;
}

bool delta_receiver::count(delta_outcome outcome) {
  switch (outcome) {
    case delta_outcome::applied:
      ++counters_.applied;
      return true;
    case delta_outcome::stale:
      ++counters_.stale;
      break;
    case delta_outcome::base_mismatch:
      ++counters_.base_mismatch;
      break;
    case delta_outcome::malformed:
      ++counters_.malformed;
      break;
  }
  return false;
}

delta_outcome delta_receiver::apply(const delta_push& p, std::span<double> x, double& w) {
  const auto outcome = check(p, x.size());
  if (!count(outcome)) return outcome;
  const auto bytes = p.bytes();
  parallel_chunks(held_.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const double d = delta_value(bytes, p.precision, i);
      held_[i] = held_[i] + d;
      x[i] += d;
    }
  });
  w += p.weight - held_w_;
  held_w_ = p.weight;
  held_seq_ = p.seq;
  return delta_outcome::applied;
}

delta_outcome delta_receiver::accept_into(const delta_push& p, std::span<double> out) {
  SGP_ASSERT(out.size() == held_.size());
  const auto outcome = check(p, held_.size());
  if (!count(outcome)) return outcome;
  const auto bytes = p.bytes();
  parallel_chunks(held_.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      held_[i] = held_[i] + delta_value(bytes, p.precision, i);
      out[i] = held_[i];
    }
  });
  held_w_ = p.weight;
  held_seq_ = p.seq;
  return delta_outcome::applied;
}

}  // namespace sgp::core
