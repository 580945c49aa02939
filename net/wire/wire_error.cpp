// Names of the wire layer's refusal reasons.
#include "net/wire/wire_error.hpp"

namespace sgp::net::wire {

std::string_view to_string(wire_error e) {
  switch (e) {
    case wire_error::truncated:
      return "truncated";
    case wire_error::bad_magic:
      return "bad_magic";
    case wire_error::bad_version:
      return "bad_version";
    case wire_error::bad_kind:
      return "bad_kind";
    case wire_error::bad_flags:
      return "bad_flags";
    case wire_error::header_checksum:
      return "header_checksum";
    case wire_error::too_large:
      return "too_large";
    case wire_error::body_checksum:
      return "body_checksum";
    case wire_error::trailing_bytes:
      return "trailing_bytes";
    case wire_error::body_size:
      return "body_size";
    case wire_error::bad_dtype:
      return "bad_dtype";
    case wire_error::count_mismatch:
      return "count_mismatch";
    case wire_error::bad_value:
      return "bad_value";
  }
  return "unknown";
}

}  // namespace sgp::net::wire
