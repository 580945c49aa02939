// libFuzzer target over the frame decoder, the push and control codecs and
// the receiver end of the bulk scheme. Properties checked on every input:
// no crash or sanitizer report; every refusal counted exactly once; whatever
// decodes re-encodes to the same bytes; a decoded push applied to a receiver
// changes its state only when it reports `applied`.
//
// The hardware CRC32C (three interleaved streams) must equal the table's on
// every input.
//
// The first input byte picks a mode, so that mutations reach the codecs
// behind the checksums (random bytes almost never pass a CRC32C):
//   0: a raw byte stream, frames decoded one after another
//   1: the rest is a push body, framed with correct checksums
//   2: the rest is a control body (kind from the next byte), framed correctly
//   3: a header alone, then a body checked against it
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "core/edge_delta.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/crc32c.hpp"
#include "net/wire/frame.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

/// Runs `decode` and checks that a refusal was counted exactly once.
template <class F>
auto counted(wire::frame_decoder& d, F decode) {
  const auto before = d.rejected().total();
  auto r = decode();
  check(d.rejected().total() == before + (r.ok() ? 0 : 1));
  return r;
}

void visit(wire::frame_decoder& d, const wire::frame_view& frame,
           std::span<const std::uint8_t> frame_bytes) {
  if (frame.kind == wire::frame_kind::push) {
    auto push = counted(d, [&] { return wire::decode_push(d, frame); });
    if (!push.ok()) return;
    // Round trip: the same fields and payload give the same bytes.
    const auto again = wire::encode_push(push->fields, push->payload);
    check(std::equal(again.begin(), again.end(), frame_bytes.begin(), frame_bytes.end()));
    // Hostile values into the receiver: applied or nothing changes.
    if (push->fields.type == wire::dtype::f64) return;
    sgp::core::delta_push p;
    p.seq = push->fields.seq;
    p.base = push->fields.base;
    p.weight = push->fields.weight;
    p.precision = push->fields.type == wire::dtype::f32 ? sgp::core::delta_precision::f32
                                                        : sgp::core::delta_precision::bf16;
    p.count = push->fields.count;
    p.values =
        std::make_shared<std::vector<std::uint8_t>>(push->payload.begin(), push->payload.end());
    sgp::core::delta_receiver r(p.count);
    std::vector<double> x(p.count, 0.0);
    double w = 0.0;
    const auto outcome = r.apply(p, x, w);
    if (outcome != sgp::core::delta_outcome::applied) {
      check(r.held_seq() == 0);
      check(w == 0.0);
      for (const double v : x) check(v == 0.0);
    } else {
      check(r.held_seq() == p.seq);
      check(std::equal(x.begin(), x.end(), r.held().begin(), r.held().end()));
    }
    return;
  }
  auto control = counted(d, [&] { return wire::decode_control(d, frame); });
  if (!control.ok()) return;
  const auto again = wire::encode_control(control.value());
  check(std::equal(again.begin(), again.end(), frame_bytes.begin(), frame_bytes.end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  check(wire::crc32c({data, size}) == wire::crc32c_portable({data, size}));
  const std::uint8_t mode = data[0] % 4;
  std::span<const std::uint8_t> in(data + 1, size - 1);
  wire::frame_decoder d(wire::frame_limits{1u << 20});
  switch (mode) {
    case 0: {
      while (!in.empty()) {
        std::size_t used = 0;
        auto frame = counted(d, [&] { return d.decode_prefix(in, used); });
        if (!frame.ok()) break;
        check(used >= wire::frame_header_size && used <= in.size());
        visit(d, frame.value(), in.first(used));
        in = in.subspan(used);
      }
      break;
    }
    case 1:
    case 2: {
      auto kind = wire::frame_kind::push;
      if (mode == 2) {
        if (in.empty()) return 0;
        kind = static_cast<wire::frame_kind>(2 + in[0] % 3);
        in = in.subspan(1);
      }
      const auto bytes = wire::encode_frame(kind, in);
      auto frame = counted(d, [&] { return d.decode(bytes); });
      if (frame.ok()) visit(d, frame.value(), bytes);
      break;
    }
    default: {
      auto header = counted(d, [&] { return d.decode_header(in); });
      if (!header.ok()) break;
      const auto rest = in.subspan(wire::frame_header_size);
      const auto body = rest.first(std::min<std::size_t>(rest.size(), header->body_size));
      auto frame = counted(d, [&] { return d.check_body(header.value(), body); });
      if (frame.ok()) visit(d, frame.value(), in.first(wire::frame_header_size + body.size()));
      break;
    }
  }
  return 0;
}
