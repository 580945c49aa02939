// Implementation of the safetensors writer (see safetensors.hpp).
#include "core/safetensors.hpp"

#include <bit>
#include <cstring>
#include <set>

#include "core/json.hpp"
#include "core/text_file.hpp"

namespace sgp::core {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; this writer copies host bytes");

std::int64_t elements(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

void append_le64(std::string& out, std::uint64_t v) {
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xffu));
}

}  // namespace

result<std::string> encode_safetensors(const std::vector<named_tensor>& tensors,
                                       const std::map<std::string, std::string>& metadata) {
  std::string header = "{";
  bool first = true;
  auto field = [&](const std::string& key, const std::string& value) {
    if (!first) header += ",";
    first = false;
    header += json_quote(key) + ":" + value;
  };
  if (!metadata.empty()) {
    std::string m = "{";
    for (const auto& [k, v] : metadata) {
      if (m.size() > 1) m += ",";
      m += json_quote(k) + ":" + json_quote(v);
    }
    field("__metadata__", m + "}");
  }
  std::set<std::string> names;
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (t.name.empty() || t.name == "__metadata__" || !names.insert(t.name).second) {
      return make_error("safetensors: tensor name '" + t.name + "' is empty, reserved or repeated");
    }
    for (const auto d : t.shape) {
      if (d < 0) return make_error("safetensors: tensor '" + t.name + "' has a negative dimension");
    }
    const auto count = static_cast<std::size_t>(elements(t.shape));
    const std::size_t have = t.is_i64 ? t.i64.size() : t.f32.size();
    if (count != have) {
      return make_error("safetensors: tensor '" + t.name + "' has " + std::to_string(have) +
                        " elements, its shape says " + std::to_string(count));
    }
    const std::uint64_t bytes = have * (t.is_i64 ? 8u : 4u);
    std::string shape = "[";
    for (std::size_t i = 0; i < t.shape.size(); ++i) {
      if (i > 0) shape += ",";
      shape += std::to_string(t.shape[i]);
    }
    field(t.name, std::string("{\"dtype\":\"") + (t.is_i64 ? "I64" : "F32") +
                      "\",\"shape\":" + shape + "],\"data_offsets\":[" + std::to_string(offset) +
                      "," + std::to_string(offset + bytes) + "]}");
    offset += bytes;
  }
  header += "}";
  // Data starts 8-byte aligned, as the reference writer pads it.
  while (header.size() % 8 != 0) header.push_back(' ');
  std::string out;
  out.reserve(8 + header.size() + offset);
  append_le64(out, header.size());
  out += header;
  for (const auto& t : tensors) {
    const char* p = t.is_i64 ? reinterpret_cast<const char*>(t.i64.data())
                             : reinterpret_cast<const char*>(t.f32.data());
    out.append(p, t.is_i64 ? t.i64.size() * 8 : t.f32.size() * 4);
  }
  return out;
}

status write_safetensors(const std::string& path, const std::vector<named_tensor>& tensors,
                         const std::map<std::string, std::string>& metadata) {
  auto bytes = encode_safetensors(tensors, metadata);
  if (!bytes.ok()) return bytes.err().with_context(path);
  return write_bytes_atomically(path, *bytes);
}

}  // namespace sgp::core
