// Reader for gzip-compressed IDX files (the MNIST / Fashion-MNIST format):
// big-endian magic 0x000008NN (unsigned bytes, NN dimensions), NN big-endian
// u32 sizes, then the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::data {

/// The header and (a prefix of) the payload of one IDX file.
struct idx_array {
  std::vector<std::uint32_t> dims;  ///< as in the header; dims[0] is the item count
  std::vector<std::uint8_t> bytes;  ///< the first `items` items
  std::uint64_t items = 0;          ///< items read (<= dims[0])
};

/// Reads the gzipped IDX file `path`, which must have magic `magic`
/// (0x00000803 for images, 0x00000801 for labels); `what` names the payload in
/// errors ("pixels", "labels"). Reads the first `max_items` items (0 = all; then
/// trailing bytes are an error). Errors start with the path: cannot open, not
/// gzip, corrupt or truncated gzip stream, bad magic, truncated payload.
/// `gzip_only` false also reads an uncompressed IDX file.
core::result<idx_array> read_idx_gz(const std::string& path, std::uint32_t magic,
                                    const std::string& what, std::uint64_t max_items = 0,
                                    bool gzip_only = true);

}  // namespace sgp::data
