// Reader for NumPy's .npy files (format versions 1 to 3): the header's
// dtype, order and shape, then the raw little-endian array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::data {

/// One .npy array, converted to doubles.
struct npy_array {
  std::string dtype;                 ///< as in the header: "|u1", "<f4", "<i8", ...
  std::vector<std::uint64_t> shape;  ///< shape[0] is the item count
  std::vector<double> values;        ///< the first `items` items, C order
  std::uint64_t items = 0;           ///< items read (<= shape[0])
  bool is_uint8 = false;             ///< dtype "|u1" (pixels to scale by 1/255)
  bool is_integer = false;           ///< any integer dtype
};

/// Reads `path`; `max_items` > 0 keeps only the first that many items along
/// the first axis. Supports bool, (u)int8/16/32/64 and float32/64, little
/// endian, C order. Errors start with the path: cannot open, not a .npy
/// file, unsupported dtype or order, malformed header, truncated data.
core::result<npy_array> read_npy(const std::string& path, std::uint64_t max_items = 0);

/// "(60000, 28, 28)", for error messages.
std::string shape_text(const std::vector<std::uint64_t>& shape);

}  // namespace sgp::data
