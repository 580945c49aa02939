// The rendezvous store over notices (see rendezvous_store.hpp).
#include "net/rendezvous_store.hpp"

namespace sgp::net {
namespace {

constexpr double kind_entry = 1.0;
constexpr double kind_want = 2.0;
constexpr auto ask_every = std::chrono::milliseconds(200);

}  // namespace

void rendezvous_store::set_publisher(publish_fn publish) {
  std::lock_guard lock(publish_mutex_);
  publish_ = std::move(publish);
}

void rendezvous_store::publish(const wire::notice& n) {
  std::lock_guard lock(publish_mutex_);
  if (publish_) publish_(n);
}

wire::notice rendezvous_store::entry_notice(const std::string& key,
                                            const std::vector<char>& value) const {
  wire::notice n{process_, wire::notice_topic::store, key, {kind_entry, double(key.size())}};
  n.text.append(value.begin(), value.end());
  return n;
}

wire::notice rendezvous_store::want_notice(const std::string& key) const {
  return {process_, wire::notice_topic::store, key, {kind_want, double(key.size())}};
}

void rendezvous_store::set(const std::string& key, const std::vector<char>& value) {
  {
    std::lock_guard lock(mutex_);
    entries_[key] = value;
    own_.insert(key);
  }
  arrived_.notify_all();
  publish(entry_notice(key, value));
}

core::status rendezvous_store::wait(const std::vector<std::string>& keys,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<std::string> missing;
    {
      std::unique_lock lock(mutex_);
      for (const auto& k : keys) {
        if (entries_.count(k) == 0) missing.push_back(k);
      }
      if (missing.empty()) return {};
      if (std::chrono::steady_clock::now() >= deadline) {
        std::string names;
        for (const auto& k : missing) names += (names.empty() ? "" : ", ") + k;
        return core::make_error("the rendezvous did not receive " + names + " within " +
                                std::to_string(timeout.count()) + " ms");
      }
    }
    // Ask again: the entry may have been dropped before its sender joined here.
    for (const auto& k : missing) publish(want_notice(k));
    std::unique_lock lock(mutex_);
    arrived_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + ask_every));
  }
}

core::result<std::vector<char>> rendezvous_store::get(const std::string& key,
                                                      std::chrono::milliseconds timeout) {
  if (auto st = wait({key}, timeout); !st.ok()) return st.err();
  std::lock_guard lock(mutex_);
  return entries_.at(key);
}

std::optional<wire::notice> rendezvous_store::received(const wire::notice& n) {
  if (n.topic != wire::notice_topic::store || n.values.size() != 2) return std::nullopt;
  const double size = n.values[1];
  if (!(size >= 0.0 && size <= static_cast<double>(n.text.size()))) return std::nullopt;
  const auto key_size = static_cast<std::size_t>(size);
  std::string key = n.text.substr(0, key_size);
  if (n.values[0] == kind_entry) {
    {
      std::lock_guard lock(mutex_);
      entries_[key].assign(n.text.begin() + static_cast<std::ptrdiff_t>(key_size), n.text.end());
    }
    arrived_.notify_all();
    return std::nullopt;
  }
  if (n.values[0] == kind_want) {
    std::lock_guard lock(mutex_);
    if (own_.count(key) == 0) return std::nullopt;
    return entry_notice(key, entries_.at(key));
  }
  return std::nullopt;
}

}  // namespace sgp::net
