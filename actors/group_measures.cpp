// Measures over the live nodes' snapshots (see group_measures.hpp).
#include "actors/group_measures.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "core/flat_ops.hpp"

namespace sgp::actors {

/// The mean of the nodes' z (the averaged model).
std::vector<float> mean_model(const std::vector<node_snapshot>& all) {
  std::vector<double> sum;
  int count = 0;
  for (const auto& sn : all) {
    if (!sn.z) continue;
    if (sum.empty()) sum.assign(sn.z->size(), 0.0);
    for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += (*sn.z)[k];
    ++count;
  }
  std::vector<float> mean(sum.size());
  for (std::size_t k = 0; k < sum.size(); ++k) mean[k] = static_cast<float>(sum[k] / count);
  return mean;
}

std::optional<int> first_non_finite(const std::vector<node_snapshot>& all) {
  std::optional<int> first;
  for (const auto& sn : all) {
    if (!sn.z || core::all_finite<float>(std::span<const float>(*sn.z))) continue;
    if (!first || sn.node < *first) first = sn.node;
  }
  return first;
}

std::string divergence_error(int node, std::optional<std::uint64_t> iteration) {
  const std::string who = node >= 0 ? "node " + std::to_string(node) : "a node";
  const std::string where =
      iteration ? " diverged at iteration " + std::to_string(*iteration) + " (loss is not finite)"
                : " diverged after its last reported loss (its model is not finite at the end "
                  "of the run)";
  return who + where + ": lower optimizer.lr or add schedule.warmup_epochs";
}

double euclidean_norm(std::span<const float> v) {
  double sum = 0.0;
  for (const float x : v) sum += static_cast<double>(x) * x;
  return std::sqrt(sum);
}

double relative_to_mean(double worst, double mean_norm) {
  return mean_norm > 0.0 ? worst / mean_norm : worst;
}

double larger_distance(double worst, double d) {
  if (std::isnan(worst) || std::isnan(d) || worst < 0.0 || d < 0.0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return std::max(worst, d);
}

/// max_i |z_i - mean| / |mean| (Euclidean norms).
double consensus_distance(const std::vector<node_snapshot>& all, const std::vector<float>& mean) {
  double worst = 0.0;
  for (const auto& sn : all) {
    if (!sn.z) continue;
    double d = 0.0;
    for (std::size_t k = 0; k < mean.size(); ++k) {
      const double e = static_cast<double>((*sn.z)[k]) - mean[k];
      d += e * e;
    }
    worst = std::max(worst, std::sqrt(d));
  }
  return relative_to_mean(worst, euclidean_norm(mean));
}

double distance_to(const std::vector<float>& z, std::span<const double> mean) {
  if (z.size() != mean.size()) return std::numeric_limits<double>::quiet_NaN();
  double d = 0.0;
  for (std::size_t k = 0; k < z.size(); ++k) {
    const double e = static_cast<double>(z[k]) - mean[k];
    d += e * e;
  }
  return std::sqrt(d);
}

/// Weight in flight between the live nodes of `all` (sent, not applied).
double in_flight_weight(const std::vector<node_snapshot>& all) {
  double total = 0.0;
  for (const auto& a : all) {
    for (const auto& b : all) {
      if (a.node == b.node) continue;
      total += std::abs(a.sent_weight[static_cast<std::size_t>(b.node)] -
                        b.applied_weight[static_cast<std::size_t>(a.node)]);
    }
  }
  return total;
}

/// Live nodes' w plus what is in flight between live nodes.
double total_weight(const std::vector<node_snapshot>& all) {
  double total = 0.0;
  for (const auto& a : all) {
    total += a.w;
    for (const auto& b : all) {
      if (a.node == b.node) continue;
      total += a.sent_weight[static_cast<std::size_t>(b.node)] -
               b.applied_weight[static_cast<std::size_t>(a.node)];
    }
  }
  return total;
}

}  // namespace sgp::actors
