// The settings every process of a multi-process run must agree on, as
// canonical text: processes exchange its hash when they join, and a mismatch
// is reported by the first key that differs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace sgp::config {

/// One `key.path = value` line per setting that must agree across processes,
/// sorted by key, values rendered as to_toml writes them (shortest exact
/// numbers, JSON-quoted strings), so equal configs give equal text on every
/// machine. Array-of-tables keys carry their index: `cluster.process[1].port`.
/// Left out (see settings_text.cpp for why): cluster.secret, run.resume_from,
/// run.dir, output.progress, output.http, output.http_secret.
std::string settings_text(const config& cfg);

/// FNV-1a (64 bit) of `text`: the same on every machine.
std::uint64_t settings_hash(std::string_view text);

/// The key of the first line (in key order) whose value differs between two
/// settings_text outputs, or that only one of them has; empty when they agree.
std::string first_difference(std::string_view a, std::string_view b);

}  // namespace sgp::config
