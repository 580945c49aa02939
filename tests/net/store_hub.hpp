// A loopback for rendezvous stores: what one store publishes reaches every
// other one at once (as the bridges would carry it), and a reply to a want
// goes back to the asker. `drop_entries` drops that many entry notices
// first (a peer that had not checked the sender's settings yet).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "net/rendezvous_store.hpp"

namespace sgp::test {

struct store_hub {
  std::vector<std::shared_ptr<net::rendezvous_store>> stores;
  std::mutex mutex;
  int drop_entries = 0;
  int wants = 0;

  explicit store_hub(int n) {
    for (int i = 0; i < n; ++i) {
      stores.push_back(std::make_shared<net::rendezvous_store>(static_cast<std::uint32_t>(i)));
    }
    for (int i = 0; i < n; ++i) {
      stores[static_cast<std::size_t>(i)]->set_publisher(
          [this, i](const net::wire::notice& n) { carry(i, n); });
    }
  }

  void carry(int from, const net::wire::notice& n) {
    {
      std::lock_guard lock(mutex);
      if (n.values.at(0) == 1.0 && drop_entries > 0) {
        --drop_entries;
        return;
      }
      if (n.values.at(0) == 2.0) ++wants;
    }
    for (std::size_t j = 0; j < stores.size(); ++j) {
      if (static_cast<int>(j) == from) continue;
      if (auto reply = stores[j]->received(n)) {
        (void)stores[static_cast<std::size_t>(from)]->received(*reply);
      }
    }
  }

  ~store_hub() {
    for (auto& s : stores) s->set_publisher(nullptr);
  }
};

}  // namespace sgp::test
