// The process set a launcher describes in the environment: torchrun, SLURM
// or Open MPI each tell a process its rank and the world size. Pure: the
// variables come through a getter, so tests pass a map (the caller passes
// std::getenv).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sgp::config {

/// Looks up an environment variable: nullptr when it is not set.
using env_getter = std::function<const char*(const char*)>;

/// This process's place in a launcher's process set.
struct env_process_set {
  std::string source;  ///< "torchrun", "slurm" or "openmpi"
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;  ///< rank among the processes on this host
  /// torchrun: MASTER_ADDR; slurm: the first host of SLURM_JOB_NODELIST;
  /// openmpi: MASTER_ADDR when set; empty when not known.
  std::string master_host;
  int master_port = 0;  ///< torchrun: MASTER_PORT; 0 otherwise or when not set
};

/// The process set from the first launcher whose variables are set, in this
/// order: torchrun (RANK and WORLD_SIZE, with LOCAL_RANK, MASTER_ADDR,
/// MASTER_PORT), SLURM (SLURM_PROCID and SLURM_NTASKS, with SLURM_LOCALID and
/// SLURM_JOB_NODELIST, else SLURM_NODELIST), Open MPI (OMPI_COMM_WORLD_RANK
/// and OMPI_COMM_WORLD_SIZE, with OMPI_COMM_WORLD_LOCAL_RANK); nullopt when
/// none is. A malformed value (not a number, rank >= world size, a bad
/// node list) is an error naming the variable and its value.
core::result<std::optional<env_process_set>> process_set_from_environment(const env_getter& get);

/// The hosts of a SLURM node list, in order: "node[01-03,07]" -> node01,
/// node02, node03, node07; "a1,b2" -> a1, b2; "rack[1-2]-gpu[3-4]" -> the
/// four combinations. Errors: unbalanced or nested brackets, empty names or
/// ranges, ranges that run backwards, more than 65536 hosts.
core::result<std::vector<std::string>> expand_nodelist(std::string_view nodelist);

/// The one log line: "process set from torchrun: rank 1 of 4 (local rank 1),
/// master 10.0.0.1:29500" (the master part only as far as it is known).
std::string describe(const env_process_set& set);

}  // namespace sgp::config
