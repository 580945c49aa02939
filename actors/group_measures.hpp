// Measures over the live nodes' snapshots: the averaged model, the
// consensus distance, and the weight held and in flight (the run's
// consensus measurements, the final drain and the summary).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace sgp::actors {

/// The mean of the nodes' z (the averaged model); empty when none has z.
std::vector<float> mean_model(const std::vector<node_snapshot>& all);

/// The first node (by its id) whose z holds a value that is not finite:
/// it diverged after its last reported loss (in its final step or the
/// exchange after it). None when every model is finite.
std::optional<int> first_non_finite(const std::vector<node_snapshot>& all);

/// The error of a run whose node diverged: at `iteration`, where its
/// training loss was not finite, or (none) after its last reported loss,
/// where its final model was not finite. `node` < 0: not known which.
std::string divergence_error(int node, std::optional<std::uint64_t> iteration);

/// The Euclidean norm of `v`, summed in f64.
double euclidean_norm(std::span<const float> v);

/// A distance relative to the averaged model's norm: `worst / mean_norm`,
/// or `worst` itself when the norm is 0 (an all-zero model).
double relative_to_mean(double worst, double mean_norm);

/// The larger of two distances, where one not measured (NaN, or negative
/// as a notice says it) makes the result not measured (NaN).
double larger_distance(double worst, double d);

/// max_i |z_i - mean| / |mean| (Euclidean norms).
double consensus_distance(const std::vector<node_snapshot>& all, const std::vector<float>& mean);

/// |z - mean| (Euclidean): a node's distance to the averaged model as a
/// cluster's consensus notice carries it (f64 values; a size mismatch: NaN).
double distance_to(const std::vector<float>& z, std::span<const double> mean);

/// Weight in flight between the live nodes of `all` (sent, not applied).
double in_flight_weight(const std::vector<node_snapshot>& all);

/// Live nodes' w plus what is in flight between live nodes.
double total_weight(const std::vector<node_snapshot>& all);

}  // namespace sgp::actors
