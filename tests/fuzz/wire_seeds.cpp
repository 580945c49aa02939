// Writes a seed corpus for wire_fuzzer: valid frames of every kind in each
// of the fuzzer's modes (first byte), so mutation starts from sound inputs.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "net/wire/control_codec.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;

namespace {

void write(const std::string& dir, int n, std::uint8_t mode, const std::vector<std::uint8_t>& b) {
  const std::string path = dir + "/seed-" + std::to_string(n);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return;
  std::fputc(mode, f);
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sgp_wire_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  int n = 0;
  for (auto type : {wire::dtype::f32, wire::dtype::bf16, wire::dtype::f64}) {
    wire::push_fields f;
    f.sender = 1;
    f.receiver = 2;
    f.seq = 3;
    f.base = 2;
    f.weight = 0.25;
    f.type = type;
    f.count = 4;
    std::vector<std::uint8_t> payload(4 * wire::dtype_size(type), 0);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 17);
    const auto frame = wire::encode_push(f, payload);
    write(dir, n++, 0, frame);                                                   // raw stream
    write(dir, n++, 1, {frame.begin() + wire::frame_header_size, frame.end()});  // push body
    write(dir, n++, 3, frame);                                                   // header + body
  }
  const std::vector<wire::control_message> controls{
      wire::hello{1, 0x100, 42, 7, {}}, wire::heartbeat{1, 2, 3}, wire::ack{2, 1, 0, 0, 3, 9}};
  for (std::size_t k = 0; k < controls.size(); ++k) {
    const auto frame = wire::encode_control(controls[k]);
    write(dir, n++, 0, frame);
    std::vector<std::uint8_t> body{static_cast<std::uint8_t>(k)};
    body.insert(body.end(), frame.begin() + wire::frame_header_size, frame.end());
    write(dir, n++, 2, body);
  }
  std::printf("sgp_wire_seeds: %d seeds in %s\n", n, dir.c_str());
  return 0;
}
