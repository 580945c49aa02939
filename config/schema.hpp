// The valid keys of every config table (docs/design.md §6), for rejecting unknown
// keys and suggesting the one that was probably meant.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sgp::config::schema {

/// Valid keys of a table: "" (the root), a section ("optimizer"), or an
/// array-of-tables entry ("network.link", "cluster.process", "faults"). Empty for anything else.
std::span<const std::string_view> keys_of(std::string_view table);

/// The message for an unknown `key` found in `table` (whose path in the
/// document is `path`, e.g. "faults[2]"): "unknown key (did you mean
/// 'optimizer.lr'?)", "unknown table (...)", or the list of valid keys when
/// nothing is close. A key that is valid in another section is pointed there.
std::string unknown_key_message(std::string_view table, std::string_view path, std::string_view key,
                                bool is_table);

}  // namespace sgp::config::schema
