// sgp_bench_edges: the host work of one push between processes, as the
// bridge does it (net/remote_edges): the sender's running sum becomes a
// rounded delta frame (outgoing), the receiver checks and applies it and
// forwards the new cumulative sum (frame decode + incoming), and the
// sender takes the ack (acknowledged). No sockets: it times the CPU cost
// that each push adds to a process's bridge, per stage, in ms, for a model
// of M million parameters (ResNet-50: 25.6).
//   sgp_bench_edges [M = 25.6] [pushes = 6] [f32 | bf16]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/host_mass_space.hpp"
#include "net/remote_edges.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/frame.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;
using clock_type = std::chrono::steady_clock;

namespace {

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

/// The frame's bytes in one buffer, as the TCP reader has them (its body
/// memory is kept between frames: net/wire/frame_memory.hpp).
sgp::net::byte_buffer flatten(const sgp::net::outgoing_frame& f) {
  sgp::net::byte_buffer out(f.size());
  std::memcpy(out.data(), f.head->data(), f.head->size());
  if (f.payload) std::memcpy(out.data() + f.head->size(), f.payload->data(), f.payload->size());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const double millions = argc > 1 ? std::strtod(argv[1], nullptr) : 25.6;
  const int pushes = argc > 2 ? std::atoi(argv[2]) : 6;
  const std::string type = argc > 3 ? argv[3] : "f32";
  if (!(millions > 0 && millions <= 1000) || pushes < 1 || pushes > 1000 ||
      (type != "f32" && type != "bf16")) {
    std::fprintf(stderr,
                 "sgp: error: usage: sgp_bench_edges [million parameters 0..1000] [pushes 1..1000] "
                 "[f32|bf16]\n");
    return 2;
  }
  const auto n = static_cast<std::size_t>(millions * 1e6);
  const auto precision =
      type == "bf16" ? sgp::core::delta_precision::bf16 : sgp::core::delta_precision::f32;
  sgp::net::remote_edges sender(n, precision);
  sgp::net::remote_edges receiver(n, precision);
  wire::frame_decoder decoder;
  std::vector<double> sum(n, 0.0);
  double out_ms = 0;
  double in_ms = 0;
  double ack_ms = 0;
  int applied = 0;
  double worst = 0.0;  // the largest |C - T| of the last push, over max |T|
  for (int k = 1; k <= pushes; ++k) {
    // The edge's running sum grows by a share each push.
    for (std::size_t i = 0; i < n; ++i) sum[i] += 1e-3 * static_cast<double>((i + k) % 97);
    auto message = std::make_shared<sgp::core::push_message>();
    message->from = 0;
    message->to = 1;
    message->seq = static_cast<std::uint64_t>(k);
    message->mass = std::make_shared<const sgp::core::host_mass>(sum);
    message->weight = 0.5 * k;
    sgp::core::gossip_envelope e;
    e.iteration = e.round = static_cast<std::uint64_t>(k);
    e.message = message;

    auto t0 = clock_type::now();
    auto frame = sender.outgoing(e);
    out_ms += ms_since(t0);
    if (!frame) {
      std::fprintf(stderr, "sgp: error: push %d made no frame\n", k);
      return 1;
    }
    const auto bytes = flatten(*frame);

    t0 = clock_type::now();
    auto header = decoder.decode_header({bytes.data(), wire::frame_header_size});
    if (!header.ok()) return 1;
    auto view = decoder.check_body(
        header.value(), {bytes.data() + wire::frame_header_size, header.value().body_size});
    if (!view.ok()) return 1;
    auto push = wire::decode_push(decoder, view.value());
    if (!push.ok()) return 1;
    auto in = receiver.incoming(push.value());
    in_ms += ms_since(t0);
    if (!in.forward || !in.ack) {
      std::fprintf(stderr, "sgp: error: push %d was not applied\n", k);
      return 1;
    }
    ++applied;
    if (k == pushes) {
      // What the receiver forwards is T, to the rounding still in flight.
      const auto forwarded = in.forward->message->mass->to_host();
      double top = 0.0;
      double gap = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        top = std::max(top, std::abs(sum[i]));
        gap = std::max(gap, std::abs(forwarded[i] - sum[i]));
      }
      worst = top > 0.0 ? gap / top : gap;
    }

    const auto ack_bytes = flatten(*in.ack);
    t0 = clock_type::now();
    auto ack_view = decoder.decode(ack_bytes);
    if (!ack_view.ok()) return 1;
    auto control = wire::decode_control(decoder, ack_view.value());
    if (!control.ok()) return 1;
    sender.acknowledged(std::get<wire::ack>(control.value()));
    ack_ms += ms_since(t0);
  }
  // The receiver's forwarded sum equals the sender's to the rounding left
  // in flight: one rounding of a delta, 2^-24 (fp32) or 2^-8 (bf16) of it.
  const double bound = precision == sgp::core::delta_precision::f32 ? 1e-6 : 1e-2;
  const auto got = receiver.counters().applied_in;
  std::printf(
      "edges: %zu parameters, %s deltas, %d pushes (%llu applied), ms per push: outgoing %.1f, "
      "decode + incoming %.1f, ack %.1f, total %.1f; forwarded sum within %.1e of the sent "
      "(bound %.0e)\n",
      n, type.c_str(), pushes, static_cast<unsigned long long>(got), out_ms / pushes,
      in_ms / pushes, ack_ms / pushes, (out_ms + in_ms + ack_ms) / pushes, worst, bound);
  if (!(worst <= bound)) {
    std::fprintf(stderr, "sgp: error: the forwarded sum is %.3e away from the sent one\n", worst);
    return 1;
  }
  return applied == pushes && got == static_cast<std::uint64_t>(pushes) ? 0 : 1;
}
