// Hosts as network namespaces for multi-process tests: each namespace has
// one veth to a bridge in the root namespace, an address in a private /24
// and its egress shaped with tbf. Everything is removed by the destructor
// (also when a test fails); nothing is left if construction fails halfway.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/integration/sgp_process.hpp"

namespace sgp::test {

class netns_hosts {
 public:
  /// `count` namespaces; `rate` for tbf ("1gbit"). ok() says whether it worked.
  netns_hosts(int count, const std::string& rate) {
    const int id = static_cast<int>(::getpid() % 10000);
    prefix_ = "sgp" + std::to_string(id);
    bridge_ = "sgpbr" + std::to_string(id);
    subnet_ = "10." + std::to_string(100 + id / 256 % 100) + "." + std::to_string(id % 256) + ".";
    cleanup();  // a crashed earlier run with the same pid
    ok_ = sh("ip link add " + bridge_ + " type bridge && ip link set " + bridge_ + " up");
    for (int i = 0; ok_ && i < count; ++i) {
      const auto ns = name(i);
      const auto outer = "vr" + std::to_string(id) + "_" + std::to_string(i);
      const auto inner = device(i);
      ok_ = sh("ip netns add " + ns) &&
            sh("ip link add " + outer + " type veth peer name " + inner + " netns " + ns) &&
            sh("ip link set " + outer + " master " + bridge_ + " up") &&
            sh("ip -n " + ns + " addr add " + address(i) + "/24 dev " + inner) &&
            sh("ip -n " + ns + " link set " + inner + " up") &&
            sh("ip -n " + ns + " link set lo up") &&
            sh("ip netns exec " + ns + " tc qdisc add dev " + inner + " root tbf rate " + rate +
               " burst 256kb latency 50ms");
      if (ok_) names_.push_back(ns);
    }
    if (!ok_) cleanup();
  }
  ~netns_hosts() { cleanup(); }
  netns_hosts(const netns_hosts&) = delete;
  netns_hosts& operator=(const netns_hosts&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::string name(int i) const { return prefix_ + "_" + std::to_string(i); }
  [[nodiscard]] std::string device(int i) const { return "vn" + std::to_string(i); }
  [[nodiscard]] std::string address(int i) const { return subnet_ + std::to_string(i + 1); }

  /// Takes host i's link down or up (as a cable pulled and plugged back).
  bool set_link(int i, bool up) const {
    return sh("ip -n " + name(i) + " link set " + device(i) + (up ? " up" : " down"));
  }

 private:
  static bool sh(const std::string& cmd) { return run_shell(cmd + " 2>&1").exit_code == 0; }

  void cleanup() {
    // Deleting a namespace deletes its end of the veth, and with it the pair.
    for (int i = 0; i < 16; ++i) (void)sh("ip netns del " + name(i) + " 2>/dev/null");
    (void)sh("ip link del " + bridge_ + " 2>/dev/null");
    names_.clear();
  }

  std::string prefix_;
  std::string bridge_;
  std::string subnet_;
  std::vector<std::string> names_;
  bool ok_ = false;
};

}  // namespace sgp::test
