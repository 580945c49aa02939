// A key-value store for a collective's rendezvous (Gloo's connectFullMesh)
// that needs no shared filesystem and no port of its own: entries travel as
// notices (topic store) on the cluster's authenticated connections. set()
// keeps the entry and publishes it to every process; get() and wait() block
// with a deadline. A process that waits for a key asks for it again every
// 200 ms (a "want" notice), and the process that set it answers: a notice
// sent before the peer had checked this process's settings is dropped
// there, so publishing once is not enough. Thread-safe; no CAF here: the
// caller gives the function that sends a notice (to every process) and
// hands received store notices to received().
//
// A store notice's values: [kind (1: entry, 2: want), key length]; its
// text: the key, then (an entry) the value's bytes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "net/wire/notice_codec.hpp"

namespace sgp::net {

class rendezvous_store {
 public:
  /// Sends a notice to every other process (may be called from any thread).
  using publish_fn = std::function<void(const wire::notice&)>;

  explicit rendezvous_store(std::uint32_t process) : process_(process) {}

  /// Where notices go; until it is set, nothing is sent (entries are kept
  /// and answered later).
  void set_publisher(publish_fn publish);

  /// Keeps `key` and publishes it.
  void set(const std::string& key, const std::vector<char>& value);

  /// The value of `key`, waiting up to `timeout` for it to arrive.
  core::result<std::vector<char>> get(const std::string& key, std::chrono::milliseconds timeout);

  /// Waits up to `timeout` until every key is here; the error names the missing ones.
  core::status wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout);

  /// A store notice from another process: keeps an entry; for a want of a
  /// key this process set, returns the entry to send back to the asker.
  std::optional<wire::notice> received(const wire::notice& n);

  /// The notice of an entry, and of a want.
  [[nodiscard]] wire::notice entry_notice(const std::string& key,
                                          const std::vector<char>& value) const;
  [[nodiscard]] wire::notice want_notice(const std::string& key) const;

 private:
  void publish(const wire::notice& n);

  std::uint32_t process_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::map<std::string, std::vector<char>> entries_;
  std::set<std::string> own_;  ///< keys this process set
  std::mutex publish_mutex_;
  publish_fn publish_;
};

}  // namespace sgp::net
