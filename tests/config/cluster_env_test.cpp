// Tests for process_set_from_environment, expand_nodelist and describe
// (config/cluster_env.hpp), with the environment as a map.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "config/cluster_env.hpp"

using sgp::config::env_process_set;
using sgp::config::expand_nodelist;
using sgp::config::process_set_from_environment;

namespace {

using env_map = std::map<std::string, std::string>;

sgp::config::env_getter getter_of(const env_map& env) {
  return [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

env_process_set set_of(const env_map& env) {
  auto set = process_set_from_environment(getter_of(env));
  INFO((set.ok() ? std::string("ok") : set.err().message));
  REQUIRE(set.ok());
  REQUIRE(set->has_value());
  return **set;
}

std::string error_of(const env_map& env) {
  auto set = process_set_from_environment(getter_of(env));
  REQUIRE_FALSE(set.ok());
  return set.err().message;
}

std::vector<std::string> hosts(const std::string& list) {
  auto h = expand_nodelist(list);
  INFO(list << ": " << (h.ok() ? std::string("ok") : h.err().message));
  REQUIRE(h.ok());
  return *h;
}

std::string nodelist_error(const std::string& list) {
  auto h = expand_nodelist(list);
  REQUIRE_FALSE(h.ok());
  return h.err().message;
}

}  // namespace

TEST_CASE("no launcher variables: no process set", "[config]") {
  auto set = process_set_from_environment(getter_of({}));
  REQUIRE(set.ok());
  CHECK_FALSE(set->has_value());
  // Half a pair is not a launcher.
  auto half = process_set_from_environment(getter_of({{"RANK", "1"}, {"SLURM_NTASKS", "4"}}));
  REQUIRE(half.ok());
  CHECK_FALSE(half->has_value());
}

TEST_CASE("torchrun variables", "[config]") {
  const auto set = set_of({{"RANK", "1"},
                           {"WORLD_SIZE", "4"},
                           {"LOCAL_RANK", "1"},
                           {"MASTER_ADDR", "10.0.0.1"},
                           {"MASTER_PORT", "29500"}});
  CHECK(set.source == "torchrun");
  CHECK(set.rank == 1);
  CHECK(set.world_size == 4);
  CHECK(set.local_rank == 1);
  CHECK(set.master_host == "10.0.0.1");
  CHECK(set.master_port == 29500);
  CHECK(describe(set) ==
        "process set from torchrun: rank 1 of 4 (local rank 1), master 10.0.0.1:29500");

  const auto bare = set_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
  CHECK(bare.local_rank == 0);
  CHECK(bare.master_host.empty());
  CHECK(bare.master_port == 0);
  CHECK(describe(bare) == "process set from torchrun: rank 0 of 1 (local rank 0)");
}

TEST_CASE("SLURM variables and the first host of the node list", "[config]") {
  const auto set = set_of({{"SLURM_PROCID", "5"},
                           {"SLURM_NTASKS", "8"},
                           {"SLURM_LOCALID", "1"},
                           {"SLURM_JOB_NODELIST", "node[01-04,07]"}});
  CHECK(set.source == "slurm");
  CHECK(set.rank == 5);
  CHECK(set.world_size == 8);
  CHECK(set.local_rank == 1);
  CHECK(set.master_host == "node01");
  CHECK(set.master_port == 0);
  CHECK(describe(set) == "process set from slurm: rank 5 of 8 (local rank 1), master node01");

  CHECK(set_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_JOB_NODELIST", "a1,b2"}})
            .master_host == "a1");
  CHECK(set_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_NODELIST", "gpu-[3-5]"}})
            .master_host == "gpu-3");
  CHECK(set_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}}).master_host.empty());
}

TEST_CASE("Open MPI variables", "[config]") {
  const auto set = set_of({{"OMPI_COMM_WORLD_RANK", "2"},
                           {"OMPI_COMM_WORLD_SIZE", "3"},
                           {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}});
  CHECK(set.source == "openmpi");
  CHECK(set.rank == 2);
  CHECK(set.world_size == 3);
  CHECK(set.local_rank == 0);
  CHECK(set.master_host.empty());
  const auto given = set_of(
      {{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "3"}, {"MASTER_ADDR", "head"}});
  CHECK(given.master_host == "head");
  CHECK(given.master_port == 0);
}

TEST_CASE("launchers are tried torchrun, then SLURM, then Open MPI", "[config]") {
  const env_map slurm = {{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}};
  const env_map mpi = {{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}};
  env_map all = {{"RANK", "0"}, {"WORLD_SIZE", "2"}};
  all.insert(slurm.begin(), slurm.end());
  all.insert(mpi.begin(), mpi.end());
  CHECK(set_of(all).source == "torchrun");
  env_map no_torch = slurm;
  no_torch.insert(mpi.begin(), mpi.end());
  CHECK(set_of(no_torch).source == "slurm");
  CHECK(set_of(no_torch).rank == 3);
  CHECK(set_of(mpi).source == "openmpi");
  // The first launcher found is the one whose values are checked.
  env_map bad_mpi = slurm;
  bad_mpi.emplace("OMPI_COMM_WORLD_RANK", "x");
  bad_mpi.emplace("OMPI_COMM_WORLD_SIZE", "2");
  CHECK(set_of(bad_mpi).source == "slurm");
}

TEST_CASE("malformed launcher variables name the variable and its value", "[config]") {
  CHECK(error_of({{"RANK", "one"}, {"WORLD_SIZE", "4"}}) ==
        "RANK=\"one\": must be an integer in [0, 4) (WORLD_SIZE is 4)");
  CHECK(error_of({{"RANK", "4"}, {"WORLD_SIZE", "4"}}) ==
        "RANK=\"4\": must be an integer in [0, 4) (WORLD_SIZE is 4)");
  CHECK_THAT(error_of({{"RANK", "-1"}, {"WORLD_SIZE", "4"}}), Catch::StartsWith("RANK=\"-1\""));
  CHECK_THAT(error_of({{"RANK", ""}, {"WORLD_SIZE", "4"}}), Catch::StartsWith("RANK=\"\""));
  CHECK_THAT(error_of({{"RANK", "1x"}, {"WORLD_SIZE", "4"}}), Catch::StartsWith("RANK=\"1x\""));
  CHECK(error_of({{"RANK", "0"}, {"WORLD_SIZE", "0"}}) ==
        "WORLD_SIZE=\"0\": must be an integer >= 1");
  CHECK_THAT(error_of({{"RANK", "0"}, {"WORLD_SIZE", "99999999999"}}),
             Catch::StartsWith("WORLD_SIZE=\"99999999999\""));
  CHECK_THAT(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "2"}}),
             Catch::StartsWith("LOCAL_RANK=\"2\": must be an integer in [0, 2)"));
  CHECK(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}) ==
        "MASTER_PORT=\"70000\": must be an integer in [1, 65535]");
  CHECK_THAT(error_of({{"SLURM_PROCID", "2"}, {"SLURM_NTASKS", "2"}}),
             Catch::StartsWith("SLURM_PROCID=\"2\": must be an integer in [0, 2)"));
  CHECK_THAT(error_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "abc"}}),
             Catch::StartsWith("SLURM_NTASKS=\"abc\""));
  CHECK(
      error_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_JOB_NODELIST", "n[3-1]"}}) ==
      "SLURM_JOB_NODELIST=\"n[3-1]\": range 3-1 runs backwards");
  CHECK_THAT(error_of({{"OMPI_COMM_WORLD_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "3"}}),
             Catch::StartsWith("OMPI_COMM_WORLD_RANK=\"3\": must be an integer in [0, 3)"));
}

TEST_CASE("SLURM node lists expand as SLURM writes them", "[config]") {
  using list = std::vector<std::string>;
  CHECK(hosts("node[01-04,07]") == list{"node01", "node02", "node03", "node04", "node07"});
  CHECK(hosts("a1,b2") == list{"a1", "b2"});
  CHECK(hosts("gpu-[3-5]") == list{"gpu-3", "gpu-4", "gpu-5"});
  CHECK(hosts("n[8-10]") == list{"n8", "n9", "n10"});
  CHECK(hosts("single.example.org") == list{"single.example.org"});
  CHECK(hosts("r[1-2]-g[0-1],x") == list{"r1-g0", "r1-g1", "r2-g0", "r2-g1", "x"});
  CHECK(hosts("c[5],d[098-100]") == list{"c5", "d098", "d099", "d100"});
  CHECK(hosts("n[0-65535]").size() == 65536);

  CHECK(nodelist_error("") == "empty node list");
  CHECK(nodelist_error("a,,b") == "empty host name");
  CHECK(nodelist_error("node[1-3") == "'[' without ']'");
  CHECK(nodelist_error("node1-3]") == "']' without '['");
  CHECK(nodelist_error("n[1-[2]]") == "nested '['");
  CHECK(nodelist_error("n[]") == "empty brackets");
  CHECK(nodelist_error("n[a-b]") == "bad range \"a-b\" (want N or N-M)");
  CHECK(nodelist_error("n[1,]") == "bad range \"\" (want N or N-M)");
  CHECK(nodelist_error("n[5-2]") == "range 5-2 runs backwards");
  CHECK(nodelist_error("n o") == "unexpected character ' '");
  CHECK(nodelist_error("n[0-65536]") == "more than 65536 hosts");
  CHECK(nodelist_error("a[0-999]-b[0-999]") == "more than 65536 hosts");
}
