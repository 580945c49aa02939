// Gzipped IDX reading with zlib (see idx_file.hpp).
#include "data/idx_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace sgp::data {
namespace {

struct gz_closer {
  void operator()(gzFile f) const { gzclose(f); }
};
using gz_file = std::unique_ptr<gzFile_s, gz_closer>;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

/// Reads up to `n` bytes into `out`; returns how many it got, or an error when
/// zlib reports a broken stream (corrupt data, or the file ends mid-stream).
core::result<std::size_t> read_bytes(gzFile f, const std::string& path, std::uint8_t* out,
                                     std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 24));
    const int r = gzread(f, out + got, chunk);
    if (r < 0) break;
    got += static_cast<std::size_t>(r);
    if (r == 0 || static_cast<unsigned>(r) < chunk) break;
  }
  int code = Z_OK;
  const char* message = gzerror(f, &code);
  if (code == Z_ERRNO) return core::error{path + ": read error (" + std::strerror(errno) + ")"};
  if (code != Z_OK && code != Z_STREAM_END) {
    // zlib's message starts with the path; keep only the reason.
    std::string reason = message;
    if (reason.starts_with(path + ": ")) reason.erase(0, path.size() + 2);
    return core::error{path + ": corrupt or truncated gzip stream (" + reason + ")"};
  }
  return got;
}

}  // namespace

core::result<idx_array> read_idx_gz(const std::string& path, std::uint32_t magic,
                                    const std::string& what, std::uint64_t max_items,
                                    bool gzip_only) {
  errno = 0;
  gz_file file(gzopen(path.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    return core::error{path + ": cannot open (" +
                       std::string(err != 0 ? std::strerror(err) : "out of memory") + ")"};
  }
  gzbuffer(file.get(), 1u << 20);

  const std::size_t ndims = magic & 0xffu;
  const std::size_t header_size = 4 + 4 * ndims;
  std::vector<std::uint8_t> header(header_size);
  auto got = read_bytes(file.get(), path, header.data(), header.size());
  if (!got.ok()) return got.err();
  if (*got == 0) {
    return core::error{path + ": empty file (expected " +
                       (gzip_only ? "a gzip-compressed IDX file)" : "an IDX file)")};
  }
  if (gzip_only && gzdirect(file.get()) != 0) {
    return core::error{path + ": not a gzip file (expected a gzip-compressed IDX file)"};
  }
  if (*got < 4) {
    return core::error{path + ": truncated: expected an IDX header of " +
                       std::to_string(header_size) + " bytes, got " + std::to_string(*got)};
  }
  const std::uint32_t found = big_endian_u32(header.data());
  if (found != magic) {
    const char* kind = magic == 0x00000803   ? " for IDX3 images"
                       : magic == 0x00000801 ? " for IDX1 labels"
                                             : "";
    return core::error{path + ": bad magic " + hex32(found) + " (expected " + hex32(magic) + kind +
                       ")"};
  }
  if (*got < header_size) {
    return core::error{path + ": truncated: expected an IDX header of " +
                       std::to_string(header_size) + " bytes, got " + std::to_string(*got)};
  }

  idx_array out;
  std::uint64_t item_size = 1;
  for (std::size_t d = 0; d < ndims; ++d) {
    out.dims.push_back(big_endian_u32(header.data() + 4 + 4 * d));
    if (d > 0) item_size *= out.dims.back();
  }
  const std::uint64_t count = out.dims.empty() ? 0 : out.dims[0];
  out.items = max_items > 0 ? std::min<std::uint64_t>(count, max_items) : count;
  if (item_size != 0 && out.items > std::numeric_limits<std::uint64_t>::max() / item_size) {
    return core::error{path + ": the header declares more " + what + " than can be addressed"};
  }
  const std::uint64_t want = out.items * item_size;
  // The buffer grows as data arrives: a header that claims more than the file
  // holds is reported as truncated, never allocated as claimed.
  constexpr std::uint64_t chunk = std::uint64_t{64} << 20;
  while (out.bytes.size() < want) {
    const std::size_t have = out.bytes.size();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(want - have, chunk));
    out.bytes.resize(have + n);
    got = read_bytes(file.get(), path, out.bytes.data() + have, n);
    if (!got.ok()) return got.err();
    if (*got < n) {
      return core::error{path + ": truncated: expected " + std::to_string(want) + " bytes of " +
                         what + ", got " + std::to_string(have + *got)};
    }
  }
  if (out.items == count) {
    std::uint8_t extra[4096];
    auto more = read_bytes(file.get(), path, extra, sizeof extra);
    if (!more.ok()) return more.err();
    if (*more > 0) {
      return core::error{path + ": unexpected data after the " + std::to_string(want) +
                         " bytes of " + what + " that the header declares"};
    }
  }
  return out;
}

}  // namespace sgp::data
