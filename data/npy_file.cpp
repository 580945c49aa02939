// .npy reading (see npy_file.hpp). The header is a Python dict literal:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }
#include "data/npy_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

namespace sgp::data {
namespace {

/// The text after `'key':` in the header, trimmed, or empty.
std::string field(const std::string& header, const std::string& key) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) return {};
  auto colon = header.find(':', at);
  if (colon == std::string::npos) return {};
  ++colon;
  while (colon < header.size() && header[colon] == ' ') ++colon;
  return header.substr(colon);
}

struct dtype_info {
  std::size_t size = 0;
  char kind = 0;  ///< 'b' bool, 'u' unsigned, 'i' signed, 'f' float
};

double element(const std::uint8_t* p, dtype_info t) {
  switch (t.kind) {
    case 'b':
      return *p != 0 ? 1.0 : 0.0;
    case 'u': {
      std::uint64_t v = 0;
      std::memcpy(&v, p, t.size);  // little endian: the low bytes
      return static_cast<double>(v);
    }
    case 'i': {
      std::int64_t v = 0;
      std::memcpy(&v, p, t.size);
      const int shift = static_cast<int>(64 - 8 * t.size);  // sign-extend
      return static_cast<double>((v << shift) >> shift);
    }
    default:
      if (t.size == 4) {
        float f = 0.0f;
        std::memcpy(&f, p, 4);
        return f;
      } else {
        double d = 0.0;
        std::memcpy(&d, p, 8);
        return d;
      }
  }
}

}  // namespace

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + (shape.size() == 1 ? ",)" : ")");
}

core::result<npy_array> read_npy(const std::string& path, std::uint64_t max_items) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::error{path + ": cannot open (" + std::strerror(errno) + ")"};
  char magic[8] = {};
  in.read(magic, 8);
  if (in.gcount() < 8 || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    return core::error{path + ": not a .npy file (no \\x93NUMPY magic)"};
  }
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3) {
    return core::error{path + ": .npy format version " + std::to_string(major) +
                       " is not supported (1 to 3)"};
  }
  std::uint32_t header_size = 0;
  unsigned char len[4] = {};
  in.read(reinterpret_cast<char*>(len), major == 1 ? 2 : 4);
  header_size =
      major == 1
          ? (len[0] | (len[1] << 8))
          : (len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<std::uint32_t>(len[3]) << 24));
  if (!in || header_size > (1u << 20)) return core::error{path + ": malformed .npy header"};
  std::string header(header_size, '\0');
  in.read(header.data(), header_size);
  if (static_cast<std::uint32_t>(in.gcount()) != header_size) {
    return core::error{path + ": truncated .npy header"};
  }

  npy_array out;
  const std::string descr = field(header, "descr");
  if (descr.size() < 4 || (descr[0] != '\'' && descr[0] != '"')) {
    return core::error{path + ": malformed .npy header (no 'descr')"};
  }
  out.dtype = descr.substr(1, descr.find(descr[0], 1) - 1);
  dtype_info t;
  if (out.dtype.size() >= 3) {
    t.kind = out.dtype[1];
    t.size = static_cast<std::size_t>(std::atoi(out.dtype.c_str() + 2));
  }
  const bool big_endian = !out.dtype.empty() && out.dtype[0] == '>' && t.size > 1;
  const bool known = (t.kind == 'b' && t.size == 1) ||
                     ((t.kind == 'u' || t.kind == 'i') &&
                      (t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8)) ||
                     (t.kind == 'f' && (t.size == 4 || t.size == 8));
  if (!known || big_endian) {
    return core::error{path + ": dtype '" + out.dtype +
                       "' is not supported (use uint8, int8..int64, uint16..uint64, float32 or "
                       "float64, little endian)"};
  }
  out.is_uint8 = t.kind == 'u' && t.size == 1;
  out.is_integer = t.kind == 'u' || t.kind == 'i' || t.kind == 'b';
  if (field(header, "fortran_order").starts_with("True")) {
    return core::error{path +
                       ": Fortran-ordered arrays are not supported (save with "
                       "np.ascontiguousarray)"};
  }
  const std::string shape = field(header, "shape");
  if (shape.empty() || shape[0] != '(') {
    return core::error{path + ": malformed .npy header (no 'shape')"};
  }
  const auto close = shape.find(')');
  if (close == std::string::npos) return core::error{path + ": malformed .npy header (shape)"};
  std::uint64_t elements = 1;
  for (std::size_t i = 1; i < close;) {
    while (i < close && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i >= close) break;
    char* end = nullptr;
    const unsigned long long d = std::strtoull(shape.c_str() + i, &end, 10);
    if (end == shape.c_str() + i) return core::error{path + ": malformed .npy header (shape)"};
    out.shape.push_back(d);
    if (d != 0 && elements > std::numeric_limits<std::uint64_t>::max() / 16 / d) {
      return core::error{path + ": shape " + shape_text(out.shape) + " is too large"};
    }
    elements *= d;
    i = static_cast<std::size_t>(end - shape.c_str());
  }
  if (out.shape.empty()) return core::error{path + ": a 0-dimensional array (expected N items)"};

  const std::uint64_t per_item = out.shape[0] > 0 ? elements / out.shape[0] : 0;
  out.items = max_items > 0 ? std::min(out.shape[0], max_items) : out.shape[0];
  const std::uint64_t want = out.items * per_item * t.size;
  std::vector<std::uint8_t> bytes;
  // Grows as data arrives: a shape that claims more than the file holds is
  // reported as truncated, never allocated as claimed.
  constexpr std::uint64_t chunk = std::uint64_t{64} << 20;
  while (bytes.size() < want) {
    const std::size_t have = bytes.size();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(want - have, chunk));
    bytes.resize(have + n);
    in.read(reinterpret_cast<char*>(bytes.data() + have), static_cast<std::streamsize>(n));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got < n) {
      return core::error{path + ": truncated: shape " + shape_text(out.shape) + " of " + out.dtype +
                         " needs " + std::to_string(elements * t.size) +
                         " bytes of data, the file has " + std::to_string(have + got)};
    }
  }
  out.values.resize(static_cast<std::size_t>(out.items * per_item));
  for (std::size_t i = 0; i < out.values.size(); ++i) {
    out.values[i] = element(bytes.data() + i * t.size, t);
  }
  return out;
}

}  // namespace sgp::data
