// Tests for load_file / load_string (config/config.hpp): a full config fills
// every struct field, and each kind of mistake gives one line naming the file,
// line:column (where there is one) and the key path.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "config/describe.hpp"

using sgp::config::load_file;
using sgp::config::load_string;

namespace {

const char* const full_config = R"(# every key, none at its default
[run]
name = "full"
dir = "out/full"
seed = 42

[cluster]
nodes = 8

[model]
name = "cnn-bn"

[data]
name = "synthetic"
path = "/data/fm"
batch_size = 32
eval_batch_size = 500
max_train_samples = 6000
max_test_samples = 1000
synthetic_train_samples = 4096
synthetic_test_samples = 512
channels = 3
height = 16
width = 12
classes = 5

[optimizer]
lr = 0.2
momentum = 0.5
nesterov = false
weight_decay = 0

[schedule]
kind = "cosine"
epochs = 90
warmup_epochs = 5
warmup_start_factor = 0.125
decay_epochs = [30, 60, 80.5]
decay_factor = 0.5
scale_lr_by_nodes = true

[algorithm]
name = "osgp"
topology = "bipartite-exponential"
peers_per_iteration = 2
tau = 3
compression = "bf16"

[backend]
name = "cuda"
threads = 4

[network]
bandwidth = "1.5Gbit"
latency = "5ms"
jitter = "200us"
loss = 0.01

[[network.link]]
from = 2
to = 5
bandwidth = "1Gbit"

[[network.link]]
from = 5
to = 6
symmetric = false
latency = "1s"
jitter = "0ms"
loss = 0.5

[output]
checkpoint_every_epochs = 0
progress = false
progress_every_iterations = 7
log_level = "debug"

[[faults]]
at_iteration = 200
action = "link_down"
from = 2
to = 5

[[faults]]
at_seconds = 1.5
action = "link_set"
from = 1
to = 0
bandwidth = "100Mbit"
loss = 0.1

[[faults]]
at_iteration = 300
action = "slow"
node = 4
factor = 3

[[faults]]
at_iteration = 400
action = "kill"
node = 3

[[faults]]
at_iteration = 500
action = "partition"
groups = [[0, 1, 2, 3], [4, 5, 6, 7]]

[[faults]]
at_iteration = 600
action = "heal"
)";

/// The error of loading `text` as "q.toml"; fails the test if it loads.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  auto cfg = load_string(text, "q.toml", overrides);
  REQUIRE_FALSE(cfg.ok());
  const std::string& message = cfg.err().message;
  CHECK(message.find('\n') == std::string::npos);
  return message;
}

/// A scratch directory removed at the end of the test.
struct temp_dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("sgp_config_test_" + std::to_string(::getpid()));
  temp_dir() { std::filesystem::create_directories(path); }
  ~temp_dir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

}  // namespace

TEST_CASE("a full config fills every field", "[config]") {
  auto loaded = load_string(full_config, "full.toml");
  INFO((loaded.ok() ? "" : loaded.err().message));
  REQUIRE(loaded.ok());
  const auto& c = *loaded;
  CHECK(c.source == "full.toml");
  CHECK(c.run.name == "full");
  CHECK(c.run.dir == "out/full");
  CHECK(c.run.seed == 42);
  CHECK(c.cluster.nodes == 8);
  CHECK(c.model.name == "cnn-bn");
  CHECK(c.data.name == "synthetic");
  CHECK(c.data.path == "/data/fm");
  CHECK(c.data.batch_size == 32);
  CHECK(c.data.eval_batch_size == 500);
  CHECK(c.data.max_train_samples == 6000);
  CHECK(c.data.max_test_samples == 1000);
  CHECK(c.data.synthetic_train_samples == 4096);
  CHECK(c.data.synthetic_test_samples == 512);
  CHECK(c.data.channels == 3);
  CHECK(c.data.height == 16);
  CHECK(c.data.width == 12);
  CHECK(c.data.classes == 5);
  CHECK(c.optimizer.lr == 0.2);
  CHECK(c.optimizer.momentum == 0.5);
  CHECK_FALSE(c.optimizer.nesterov);
  CHECK(c.optimizer.weight_decay == 0.0);
  CHECK(c.schedule.kind == "cosine");
  CHECK(c.schedule.epochs == 90);
  CHECK(c.schedule.warmup_epochs == 5.0);
  CHECK(c.schedule.warmup_start_factor == 0.125);
  CHECK(c.schedule.decay_epochs == std::vector<double>{30, 60, 80.5});
  CHECK(c.schedule.decay_factor == 0.5);
  CHECK(c.schedule.scale_lr_by_nodes);
  CHECK(c.algorithm.name == "osgp");
  CHECK(c.algorithm.topology == "bipartite-exponential");
  CHECK(c.algorithm.peers_per_iteration == 2);
  CHECK(c.algorithm.tau == 3);
  CHECK(c.algorithm.compression == "bf16");
  CHECK(c.backend.name == "cuda");
  CHECK(c.backend.threads == 4);
  CHECK(c.network.bandwidth == "1.5Gbit");
  CHECK(c.network.latency == "5ms");
  CHECK(c.network.jitter == "200us");
  CHECK(c.network.loss == 0.01);
  REQUIRE(c.network.links.size() == 2);
  CHECK(c.network.links[0].from == 2);
  CHECK(c.network.links[0].to == 5);
  CHECK(c.network.links[0].symmetric);
  CHECK(c.network.links[0].bandwidth == "1Gbit");
  CHECK(c.network.links[0].latency.empty());
  CHECK_FALSE(c.network.links[0].loss.has_value());
  CHECK_FALSE(c.network.links[1].symmetric);
  CHECK(c.network.links[1].latency == "1s");
  CHECK(c.network.links[1].jitter == "0ms");
  CHECK(c.network.links[1].loss == 0.5);
  CHECK(c.output.checkpoint_every_epochs == 0);
  CHECK_FALSE(c.output.progress);
  CHECK(c.output.progress_every_iterations == 7);
  CHECK(c.output.log_level == "debug");

  REQUIRE(c.faults.size() == 6);
  CHECK(c.faults[0].at_iteration == 200);
  CHECK(c.faults[0].at_seconds == -1.0);
  CHECK(c.faults[0].action == "link_down");
  CHECK(c.faults[0].from == 2);
  CHECK(c.faults[0].to == 5);
  CHECK(c.faults[1].at_iteration == -1);
  CHECK(c.faults[1].at_seconds == 1.5);
  CHECK(c.faults[1].bandwidth == "100Mbit");
  CHECK(c.faults[1].loss == 0.1);
  CHECK(c.faults[1].latency.empty());
  CHECK(c.faults[2].action == "slow");
  CHECK(c.faults[2].node == 4);
  CHECK(c.faults[2].factor == 3.0);
  CHECK(c.faults[3].node == 3);
  CHECK(c.faults[4].groups == std::vector<std::vector<int>>{{0, 1, 2, 3}, {4, 5, 6, 7}});
  CHECK(c.faults[5].action == "heal");
}

TEST_CASE("an empty config gives the defaults and run.dir follows run.name", "[config]") {
  auto empty = load_string("", "empty.toml");
  REQUIRE(empty.ok());
  CHECK(empty->run.dir == "runs/run");
  CHECK(empty->model.name == "cnn");
  CHECK(empty->faults.empty());
  auto named = load_string("[run]\nname = \"abc\"\n", "named.toml");
  REQUIRE(named.ok());
  CHECK(named->run.dir == "runs/abc");
  auto by_override = load_string("", "o.toml", {"run.name=xyz"});
  REQUIRE(by_override.ok());
  CHECK(by_override->run.dir == "runs/xyz");
}

TEST_CASE("every example config loads", "[config]") {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SGP_SOURCE_DIR) + "/config/examples")) {
    if (entry.path().extension() != ".toml") continue;
    auto cfg = load_file(entry.path().string());
    INFO(entry.path().string() << ": " << (cfg.ok() ? "ok" : cfg.err().message));
    CHECK(cfg.ok());
    ++count;
  }
  CHECK(count > 0);
}

TEST_CASE("every TOML example in docs/config.md loads", "[config]") {
  std::ifstream doc(std::string(SGP_SOURCE_DIR) + "/docs/config.md");
  REQUIRE(doc);
  std::string line;
  std::string block;
  bool in_block = false;
  int count = 0;
  while (std::getline(doc, line)) {
    if (!in_block && line == "```toml") {
      in_block = true;
      block.clear();
    } else if (in_block && line == "```") {
      in_block = false;
      auto cfg = load_string(block, "docs/config.md example " + std::to_string(++count));
      INFO((cfg.ok() ? "" : cfg.err().message));
      CHECK(cfg.ok());
    } else if (in_block) {
      block += line + "\n";
    }
  }
  CHECK(count >= 2);
}

TEST_CASE("syntax errors give toml++'s description at file:line:column", "[config]") {
  const std::string e = error_of("[run]\nname = \"x\"\nseed = = 3\n");
  CHECK_THAT(e, Catch::StartsWith("q.toml:3:"));
}

TEST_CASE("unknown keys and tables are rejected with a suggestion", "[config]") {
  CHECK(error_of("[optimizer]\nlr = 0.1\nlrr = 0.2\n") ==
        "q.toml:3:1: optimizer.lrr: unknown key (did you mean 'optimizer.lr'?)");
  CHECK_THAT(error_of("[optimzer]\nlr = 0.1\n"),
             Catch::StartsWith("q.toml:1:") &&
                 Catch::EndsWith("optimzer: unknown table (did you mean 'optimizer'?)"));
  // The right key in the wrong section is pointed to its section.
  CHECK(error_of("[optimizer]\nepochs = 3\n") ==
        "q.toml:2:1: optimizer.epochs: unknown key (did you mean 'schedule.epochs'?)");
  // Nothing close: the valid keys are listed.
  CHECK_THAT(error_of("[backend]\nfrobnicate = 1\n"),
             Catch::Contains("backend.frobnicate: unknown key (valid keys: name, threads, "
                             "compute_threads, conv_search, devices)"));
  CHECK_THAT(error_of("[[faults]]\nat_iteration = 1\naction = \"heal\"\nnoed = 2\n"),
             Catch::StartsWith("q.toml:4:1: faults[0].noed: unknown key (did you mean "
                               "'faults[0].node'?)"));
}

TEST_CASE("wrong types name what was expected and what was found", "[config]") {
  CHECK(error_of("[optimizer]\nlr = \"fast\"\n") ==
        "q.toml:2:6: optimizer.lr: expected a number, got string");
  CHECK(error_of("[data]\nbatch_size = 6.5\n") ==
        "q.toml:2:14: data.batch_size: expected an integer, got floating-point number");
  CHECK(error_of("[optimizer]\nnesterov = 1\n") ==
        "q.toml:2:12: optimizer.nesterov: expected a boolean (true or false), got integer");
  CHECK(error_of("optimizer = 3\n") == "q.toml:1:13: optimizer: expected a table, got integer");
  CHECK_THAT(error_of("[schedule]\ndecay_epochs = [30, \"x\"]\n"),
             Catch::Contains("schedule.decay_epochs[1]: expected a number, got string"));
  // Integers are fine where numbers are expected.
  CHECK(load_string("[optimizer]\nlr = 1\n", "q.toml")->optimizer.lr == 1.0);
}

TEST_CASE("out-of-range values name the range and the value", "[config]") {
  CHECK(error_of("[run]\nseed = 1\n[optimizer]\nlr = -1\n") ==
        "q.toml:4:6: optimizer.lr: must be >= 0, got -1");
  CHECK_THAT(error_of("[optimizer]\nmomentum = 1.0\n"),
             Catch::EndsWith("optimizer.momentum: must be in [0, 1), got 1"));
  CHECK_THAT(error_of("[data]\nbatch_size = 0\n"),
             Catch::EndsWith("data.batch_size: must be > 0, got 0"));
  CHECK_THAT(error_of("[schedule]\ndecay_factor = 0\n"),
             Catch::EndsWith("schedule.decay_factor: must be in (0, 1], got 0"));
  CHECK_THAT(error_of("[schedule]\ndecay_epochs = [30, 20]\n"),
             Catch::StartsWith("q.toml:2:21: schedule.decay_epochs[1]: must be ascending"));
  CHECK_THAT(error_of("[cluster]\nnodes = 5000000000\n"),
             Catch::Contains("cluster.nodes: must be in [1, 1024], got 5000000000"));
  CHECK_THAT(error_of("[network]\nloss = 1.5\n"),
             Catch::EndsWith("network.loss: must be in [0, 1], got 1.5"));
  CHECK_THAT(error_of("[network]\nlatency = \"5 ms\"\n"),
             Catch::StartsWith("q.toml:2:11: network.latency: bad duration \"5 ms\""));
  CHECK_THAT(error_of("[network]\nbandwidth = \"10GB\"\n"),
             Catch::Contains("network.bandwidth: bad bandwidth \"10GB\": unknown unit 'GB'"));
  CHECK_THAT(error_of("[output]\nprogress_every_iterations = 0\n"),
             Catch::Contains("output.progress_every_iterations: must be >= 1, got 0"));
}

TEST_CASE("infinities, zero timeouts and absurd sizes are refused naming the key", "[config]") {
  CHECK(error_of("[optimizer]\nlr = inf\n") ==
        "q.toml:2:6: optimizer.lr: must be a finite number, got inf");
  CHECK_THAT(error_of("[[faults]]\nat_iteration = 1\naction = \"slow\"\nnode = 0\nfactor = inf\n"),
             Catch::Contains("faults[0].factor: must be a finite number, got inf"));
  CHECK_THAT(error_of("[[faults]]\nat_iteration = 1\naction = \"slow\"\nnode = 0\nfactor = nan\n"),
             Catch::Contains("faults[0].factor: must be a number, got nan"));
  CHECK_THAT(error_of("", {"cluster.heartbeat_timeout=0ms"}),
             Catch::Contains("cluster.heartbeat_timeout: must be longer than 0, got \"0ms\""));
  CHECK_THAT(error_of("[network]\nlatency = \"1000000000000s\"\n"),
             Catch::StartsWith("q.toml:2:11: network.latency: bad duration") &&
                 Catch::Contains("at most 1 day"));
  CHECK_THAT(error_of("", {"backend.threads=100000"}),
             Catch::Contains("backend.threads: must be in [0, 1024], got 100000"));
  CHECK_THAT(error_of("", {"data.classes=2147483647"}),
             Catch::Contains("data.classes: must be in [2, 100000], got 2147483647"));
  CHECK_THAT(error_of("", {"cluster.nodes=100000"}),
             Catch::Contains("cluster.nodes: must be in [1, 1024], got 100000"));
}

TEST_CASE("the reference recipe's keys and the gossip variants load", "[config]") {
  const auto c = sgp::config::load_string(
      "[optimizer]\nweight_decay_scope = \"all\"\n[schedule]\nscale_lr_by_nodes = true\n"
      "reference_batch = 256\nwarmup_from_base_lr = true\n[algorithm]\nname = \"osgp\"\n"
      "osgp_variant = \"reference\"\nstep_space = \"x\"\nresend_on_timeout = true\n"
      "resend_attempts = 5\n"
      "topology = \"dynamic-directed-exponential\"\n",
      "q.toml");
  REQUIRE(c.ok());
  CHECK(c->optimizer.weight_decay_scope == "all");
  CHECK(c->schedule.reference_batch == 256);
  CHECK(c->schedule.warmup_from_base_lr);
  CHECK(c->algorithm.osgp_variant == "reference");
  CHECK(c->algorithm.step_space == "x");
  CHECK(c->algorithm.resend_on_timeout);
  CHECK(c->algorithm.resend_attempts == 5);
  const auto back = sgp::config::load_string(sgp::config::to_toml(*c), "back.toml");
  REQUIRE(back.ok());
  CHECK(back->algorithm.resend_attempts == 5);
  CHECK_THAT(error_of("[algorithm]\nresend_attempts = 3\n"),
             Catch::Contains("algorithm.resend_attempts: applies with "
                             "algorithm.resend_on_timeout = true, which is off"));
  CHECK_THAT(error_of("[algorithm]\nresend_on_timeout = true\nresend_attempts = 0\n"),
             Catch::Contains("algorithm.resend_attempts"));
  const auto defaults = sgp::config::load_string("", "q.toml");
  REQUIRE(defaults.ok());
  CHECK(defaults->algorithm.osgp_variant == "bounded");
  CHECK_FALSE(defaults->algorithm.resend_on_timeout);
  CHECK(defaults->algorithm.resend_attempts == 3);
  CHECK(defaults->optimizer.weight_decay_scope == "weights");
  CHECK(defaults->schedule.reference_batch == 0);
}

TEST_CASE("enumerations list the valid values", "[config]") {
  CHECK(error_of("[model]\nname = \"resnet\"\n") ==
        "q.toml:2:8: model.name: must be one of mlp, cnn, cnn-bn, resnet18, resnet50; got "
        "\"resnet\"");
  CHECK_THAT(error_of("[algorithm]\ntopology = \"torus\"\n"),
             Catch::Contains("algorithm.topology: must be one of exponential, "
                             "npeer-exponential, bipartite-exponential, linear, "
                             "bipartite-linear, ring, complete, dynamic-directed-exponential, "
                             "npeer-dynamic-directed-exponential, dynamic-directed-linear, "
                             "dynamic-bipartite-linear; got \"torus\""));
  CHECK_THAT(error_of("[algorithm]\nosgp_variant = \"fast\"\n"),
             Catch::Contains("algorithm.osgp_variant: must be one of bounded, reference"));
  CHECK_THAT(error_of("[algorithm]\nstep_space = \"w\"\n"),
             Catch::Contains("algorithm.step_space: must be one of x, z"));
  CHECK_THAT(error_of("[output]\nlog_level = \"verbose\"\n"),
             Catch::Contains("output.log_level: must be one of error, warn, info, debug; got "
                             "\"verbose\""));
  CHECK_THAT(error_of("[optimizer]\nweight_decay_scope = \"bias\"\n"),
             Catch::Contains("optimizer.weight_decay_scope: must be one of weights, all"));
  CHECK_THAT(error_of("[schedule]\nreference_batch = -1\n"),
             Catch::Contains("schedule.reference_batch: must be >= 0"));
  CHECK_THAT(error_of("[backend]\nname = \"tpu\"\n"), Catch::Contains("cpu, cuda"));
  CHECK_THAT(error_of("[backend]\ncompute_threads = \"many\"\n"),
             Catch::Contains("backend.compute_threads: must be one of auto, own, shared; got "
                             "\"many\""));
  CHECK_THAT(error_of("[backend]\nconv_search = \"fast\"\n"),
             Catch::Contains("backend.conv_search: must be one of timed, reproducible; got "
                             "\"fast\""));
}

TEST_CASE("links and faults are checked against the cluster", "[config]") {
  const std::string nodes4 = "[cluster]\nnodes = 4\n";
  CHECK_THAT(error_of(nodes4 + "[[network.link]]\nfrom = 1\nto = 4\n"),
             Catch::StartsWith("q.toml:5:6: network.link[0].to: must be in [0, 4), got 4"));
  CHECK_THAT(error_of(nodes4 + "[[network.link]]\nfrom = 1\nto = 1\n"),
             Catch::Contains("network.link[0].to: must differ from 'from' (1)"));
  CHECK_THAT(error_of(nodes4 + "[[network.link]]\nfrom = 1\n"),
             Catch::StartsWith("q.toml:3:") && Catch::Contains("network.link[0].to: missing"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\naction = \"heal\"\n"),
             Catch::Contains("faults[0]: needs at_iteration or at_seconds"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\nat_seconds = 2\naction = \"heal\"\n"),
             Catch::Contains("faults[0].at_seconds: give at_iteration or at_seconds, not both"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"explode\"\n"),
             Catch::Contains("faults[0].action: must be one of link_down, link_up, link_set, "
                             "slow, kill, revive, partition, heal; got \"explode\""));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"kill\"\nfrom = 2\n"),
             Catch::StartsWith("q.toml:6:1: faults[0].from: not used by action \"kill\""));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"kill\"\n"),
             Catch::Contains("faults[0].node: missing"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"slow\"\nnode = 1\n"
                               "factor = 0.5\n"),
             Catch::Contains("faults[0].factor: must be >= 1, got 0.5"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"link_set\"\nfrom = 0\n"
                               "to = 1\n"),
             Catch::Contains("faults[0]: link_set needs at least one of"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"partition\"\n"
                               "groups = [[0, 1], [1, 2]]\n"),
             Catch::Contains("faults[0].groups[1]: node 1 is in more than one group"));
  CHECK_THAT(error_of(nodes4 + "[[faults]]\nat_iteration = 1\naction = \"partition\"\n"
                               "groups = [[0, 1, 2, 3]]\n"),
             Catch::Contains("faults[0].groups: needs at least 2 groups, got 1"));
  CHECK_THAT(error_of("[faults]\nat_iteration = 1\n"),
             Catch::Contains("faults: expected an array of tables ([[faults]]), got table"));
}

TEST_CASE("a missing file is named with the reason", "[config]") {
  auto cfg = load_file("/nonexistent/sgp/q.toml");
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.err().message ==
        "/nonexistent/sgp/q.toml: cannot open config file (No such file or directory)");
}

TEST_CASE("load_file names the file in every error", "[config]") {
  temp_dir dir;
  const std::string path = dir.write("bad.toml", "[optimizer]\nlr = -1\n");
  auto cfg = load_file(path);
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.err().message == path + ":2:6: optimizer.lr: must be >= 0, got -1");
  const std::string good = dir.write("good.toml", "[optimizer]\nlr = 0.3\n");
  auto ok = load_file(good, {"optimizer.momentum=0.5"});
  REQUIRE(ok.ok());
  CHECK(ok->optimizer.lr == 0.3);
  CHECK(ok->optimizer.momentum == 0.5);
  CHECK(ok->source == good);
}

TEST_CASE("overrides are TOML values, bare words are strings", "[config]") {
  auto cfg =
      load_string("[optimizer]\nlr = 0.1\n[model]\nname = \"mlp\"\n", "q.toml",
                  {"optimizer.lr=0.05", "algorithm.name=ar-sgd", "schedule.decay_epochs=[1, 2]",
                   "network.bandwidth=1Gbit", "run.name=\"quoted\"", "optimizer.nesterov=false",
                   "cluster.nodes=4", "model.name=cnn"});
  INFO((cfg.ok() ? "" : cfg.err().message));
  REQUIRE(cfg.ok());
  CHECK(cfg->optimizer.lr == 0.05);
  CHECK(cfg->algorithm.name == "ar-sgd");
  CHECK(cfg->schedule.decay_epochs == std::vector<double>{1, 2});
  CHECK(cfg->network.bandwidth == "1Gbit");
  CHECK(cfg->run.name == "quoted");
  CHECK_FALSE(cfg->optimizer.nesterov);
  CHECK(cfg->cluster.nodes == 4);
  CHECK(cfg->model.name == "cnn");
}

TEST_CASE("bad overrides name the override", "[config]") {
  CHECK(error_of("[optimizer]\nlr = 0.1\n", {"optimizer.lr=abc"}) ==
        "--set optimizer.lr=abc: optimizer.lr: expected a number, got string");
  CHECK(error_of("", {"optimizer.lr=-2"}) ==
        "--set optimizer.lr=-2: optimizer.lr: must be >= 0, got -2");
  CHECK(error_of("", {"algorithm.name=foo"}) ==
        "--set algorithm.name=foo: algorithm.name: must be one of sgp, osgp, ar-sgd, d-psgd, none; "
        "got \"foo\"");
  CHECK_THAT(error_of("", {"optimizer.lr"}), Catch::StartsWith("--set optimizer.lr: expected"));
  CHECK_THAT(error_of("", {"optimizer..lr=1"}), Catch::StartsWith("--set optimizer..lr=1: "));
  CHECK(error_of("[optimizer]\nlr = 0.1\n", {"optimizer.lr.x=1"}) ==
        "--set optimizer.lr.x=1: optimizer.lr: is not a table");
  // A later override wins, and only it is named.
  CHECK(error_of("", {"optimizer.lr=x", "optimizer.lr=-3"}) ==
        "--set optimizer.lr=-3: optimizer.lr: must be >= 0, got -3");
}

TEST_CASE("overrides of unknown keys get a suggestion", "[config]") {
  CHECK(error_of("[optimizer]\nlr = 0.1\n", {"optimizer.lrr=0.2"}) ==
        "--set optimizer.lrr=0.2: optimizer.lrr: unknown key (did you mean 'optimizer.lr'?)");
  CHECK(error_of("", {"optimzer.lr=0.2"}) ==
        "--set optimzer.lr=0.2: optimzer: unknown table (did you mean 'optimizer'?)");
  // The file's own unknown key is reported at its position first.
  CHECK_THAT(error_of("[optimizer]\nlrr = 0.1\n", {"optimizer.momentm=0.2"}),
             Catch::StartsWith("q.toml:2:1: optimizer.lrr"));
}

TEST_CASE("backend.devices lists GPU ids", "[config]") {
  auto c = load_string("[backend]\nname = \"cuda\"\ndevices = [0, 1, 3]\n", "d.toml");
  REQUIRE(c.ok());
  CHECK(c->backend.devices == std::vector<int>{0, 1, 3});
  CHECK(load_string("", "d.toml")->backend.devices == std::vector<int>{0});
  CHECK(error_of("[backend]\ndevices = []\n") ==
        "q.toml:2:11: backend.devices: expected a non-empty array of integers, got an empty "
        "array");
  CHECK_THAT(error_of("[backend]\ndevices = [0, -1]\n"),
             Catch::StartsWith("q.toml:2:15: backend.devices[1]:"));
  CHECK_THAT(error_of("[backend]\ndevices = [0.5]\n"),
             Catch::StartsWith("q.toml:2:12: backend.devices[0]:"));
}
