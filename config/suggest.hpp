// "Did you mean ...?": edit distance and the closest candidate to a misspelt word.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sgp::config {

/// Optimal-string-alignment distance: insertions, deletions, substitutions
/// and transpositions of neighbours each cost 1 ("lrr"→"lr" = 1, "optimzier"→"optimizer" = 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word`, if it is close enough to be a plausible
/// typo (distance 1 for words of up to 3 letters, else up to max(2, size/3)).
/// Ties go to the earlier candidate.
std::optional<std::string> closest(std::string_view word,
                                   std::span<const std::string_view> candidates);

}  // namespace sgp::config
