// The closed sets of names a config takes (algorithm.name, model.name, ...):
// one enum per kind and ONE table per kind mapping each value to its name.
// Validation (load.cpp: the "must be one of ..." list), describe/settings
// text and to_string all read these tables, so adding a name is one edit.
// Topologies and lr decays keep their tables in core/ (the console and the
// schedule name them too); they are listed here under the same interface.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/graph_schedule.hpp"
#include "core/log.hpp"
#include "core/lr_schedule.hpp"

namespace sgp::config {

/// algorithm.name
enum class algorithm_kind { sgp, osgp, ar_sgd, d_psgd, none };
/// model.name
enum class model_kind { mlp, cnn, cnn_bn, resnet18, resnet50 };
/// data.name
enum class data_kind { fashion_mnist, synthetic, idx, npy };
/// optimizer.weight_decay_scope
enum class weight_decay_scope { weights, all };
/// algorithm.osgp_variant
enum class osgp_variant { bounded, reference };
/// algorithm.step_space
enum class step_space { x, z, balanced };
/// algorithm.compression
enum class compression { none, bf16 };
/// backend.name
enum class backend_kind { cpu, cuda };
/// cluster.actor_polling ("auto" is a keyword: `automatic`)
enum class actor_polling { automatic, busy, quiet };
/// backend.compute_threads ("auto" is a keyword: `automatic`)
enum class compute_threads { automatic, own, shared };
/// backend.conv_search
enum class conv_search { timed, reproducible };
/// faults[].action
enum class fault_action { link_down, link_up, link_set, slow, kill, revive, partition, heal };

/// ResNets: cuda only, and no PyTorch module to be saved as (gpu/torch_state.hpp).
constexpr bool is_resnet(model_kind m) {
  return m == model_kind::resnet18 || m == model_kind::resnet50;
}

/// A kind's table: `entries` pairs every value with its name, in the order
/// the names are listed in messages. Specialised once per kind below.
template <class E>
struct name_table;

template <class E, std::size_t N>
using entries_of = std::array<std::pair<E, std::string_view>, N>;

template <>
struct name_table<algorithm_kind> {
  static constexpr entries_of<algorithm_kind, 5> entries{{{algorithm_kind::sgp, "sgp"},
                                                          {algorithm_kind::osgp, "osgp"},
                                                          {algorithm_kind::ar_sgd, "ar-sgd"},
                                                          {algorithm_kind::d_psgd, "d-psgd"},
                                                          {algorithm_kind::none, "none"}}};
};

template <>
struct name_table<model_kind> {
  static constexpr entries_of<model_kind, 5> entries{{{model_kind::mlp, "mlp"},
                                                      {model_kind::cnn, "cnn"},
                                                      {model_kind::cnn_bn, "cnn-bn"},
                                                      {model_kind::resnet18, "resnet18"},
                                                      {model_kind::resnet50, "resnet50"}}};
};

template <>
struct name_table<data_kind> {
  static constexpr entries_of<data_kind, 4> entries{{{data_kind::fashion_mnist, "fashion-mnist"},
                                                     {data_kind::synthetic, "synthetic"},
                                                     {data_kind::idx, "idx"},
                                                     {data_kind::npy, "npy"}}};
};

template <>
struct name_table<weight_decay_scope> {
  static constexpr entries_of<weight_decay_scope, 2> entries{
      {{weight_decay_scope::weights, "weights"}, {weight_decay_scope::all, "all"}}};
};

template <>
struct name_table<osgp_variant> {
  static constexpr entries_of<osgp_variant, 2> entries{
      {{osgp_variant::bounded, "bounded"}, {osgp_variant::reference, "reference"}}};
};

template <>
struct name_table<step_space> {
  static constexpr entries_of<step_space, 3> entries{
      {{step_space::x, "x"}, {step_space::z, "z"}, {step_space::balanced, "balanced"}}};
};

template <>
struct name_table<compression> {
  static constexpr entries_of<compression, 2> entries{
      {{compression::none, "none"}, {compression::bf16, "bf16"}}};
};

template <>
struct name_table<backend_kind> {
  static constexpr entries_of<backend_kind, 2> entries{
      {{backend_kind::cpu, "cpu"}, {backend_kind::cuda, "cuda"}}};
};

template <>
struct name_table<compute_threads> {
  static constexpr entries_of<compute_threads, 3> entries{{{compute_threads::automatic, "auto"},
                                                           {compute_threads::own, "own"},
                                                           {compute_threads::shared, "shared"}}};
};

template <>
struct name_table<actor_polling> {
  static constexpr entries_of<actor_polling, 3> entries{{{actor_polling::automatic, "auto"},
                                                         {actor_polling::busy, "busy"},
                                                         {actor_polling::quiet, "quiet"}}};
};

template <>
struct name_table<conv_search> {
  static constexpr entries_of<conv_search, 2> entries{
      {{conv_search::timed, "timed"}, {conv_search::reproducible, "reproducible"}}};
};

template <>
struct name_table<fault_action> {
  static constexpr entries_of<fault_action, 8> entries{{{fault_action::link_down, "link_down"},
                                                        {fault_action::link_up, "link_up"},
                                                        {fault_action::link_set, "link_set"},
                                                        {fault_action::slow, "slow"},
                                                        {fault_action::kill, "kill"},
                                                        {fault_action::revive, "revive"},
                                                        {fault_action::partition, "partition"},
                                                        {fault_action::heal, "heal"}}};
};

/// algorithm.topology: core's table (the console's `topology` command names them too).
template <>
struct name_table<core::topology_kind> {
  static constexpr const auto& entries = core::topology_table;
};

/// schedule.kind: core's table.
template <>
struct name_table<core::lr_decay> {
  static constexpr const auto& entries = core::lr_decay_table;
};

/// output.log_level: core's levels, most severe first.
template <>
struct name_table<core::log_level> {
  static constexpr entries_of<core::log_level, 4> entries{{{core::log_level::error, "error"},
                                                           {core::log_level::warn, "warn"},
                                                           {core::log_level::info, "info"},
                                                           {core::log_level::debug, "debug"}}};
};

/// A kind with a name table.
template <class E>
concept named_enum = std::is_enum_v<E> && requires {
  name_table<E>::entries;
};

namespace detail {
template <class E>
constexpr auto names_array() {
  constexpr const auto& entries = name_table<E>::entries;
  std::array<std::string_view, std::tuple_size_v<std::remove_cvref_t<decltype(entries)>>> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = entries[i].second;
  return out;
}
template <class E>
inline constexpr auto names_of_v = names_array<E>();
}  // namespace detail

/// Every name of kind E, in table order (for "must be one of ..." lists).
template <named_enum E>
constexpr std::span<const std::string_view> names_of() {
  return detail::names_of_v<E>;
}

/// The name of `value` ("ar-sgd" for algorithm_kind::ar_sgd).
template <named_enum E>
constexpr std::string_view to_string(E value) {
  for (const auto& [v, name] : name_table<E>::entries) {
    if (v == value) return name;
  }
  return {};  // unreachable: every enumerator is in its table (tests check)
}

/// The value called `name`, or nothing for a name not in the table.
template <named_enum E>
constexpr std::optional<E> from_name(std::string_view name) {
  for (const auto& [v, n] : name_table<E>::entries) {
    if (n == name) return v;
  }
  return std::nullopt;
}

/// "a, b, c": the names of kind E as listed in messages.
template <named_enum E>
std::string name_list() {
  std::string out;
  for (std::string_view n : names_of<E>()) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace sgp::config
