#pragma once
// Folded streams kept between commands, so a service does not re-read the streams it has just
// written. Only an optimisation, never the truth (ARCHITECTURE.md principle 3): an entry is
// used to decide, and the append names the version it was folded to, so an entry another
// writer made stale turns into a concurrency conflict and a fresh read; decisions that append
// nothing are re-checked on a fresh read (docs/adr/0015-batched-consumption.md).

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "ordersource/eventstore/event_store.hpp"

namespace ordersource::eventstore {

// Least recently used entries go first once `capacity` streams are held. Thread-safe.
template <typename State>
class StateCache {
  public:
    explicit StateCache(std::size_t capacity) : capacity_(capacity) {}

    std::optional<Loaded<State>> find(const StreamId& stream) {
        const std::lock_guard lock(mutex_);
        const auto found = index_.find(stream.value());
        if (found == index_.end()) return std::nullopt;
        entries_.splice(entries_.begin(), entries_, found->second);
        return found->second->second;
    }

    // Removes the entry and hands it over without copying the state (which may be large);
    // put() it back once it is current again.
    std::optional<Loaded<State>> take(const StreamId& stream) {
        const std::lock_guard lock(mutex_);
        const auto found = index_.find(stream.value());
        if (found == index_.end()) return std::nullopt;
        std::optional<Loaded<State>> taken(std::move(found->second->second));
        entries_.erase(found->second);
        index_.erase(found);
        return taken;
    }

    void put(const StreamId& stream, Loaded<State> loaded) {
        if (capacity_ == 0) return;
        const std::lock_guard lock(mutex_);
        if (const auto found = index_.find(stream.value()); found != index_.end()) {
            found->second->second = std::move(loaded);
            entries_.splice(entries_.begin(), entries_, found->second);
            return;
        }
        entries_.emplace_front(stream.value(), std::move(loaded));
        index_.emplace(stream.value(), entries_.begin());
        if (entries_.size() > capacity_) {
            index_.erase(entries_.back().first);
            entries_.pop_back();
        }
    }

    void forget(const StreamId& stream) {
        const std::lock_guard lock(mutex_);
        if (const auto found = index_.find(stream.value()); found != index_.end()) {
            entries_.erase(found->second);
            index_.erase(found);
        }
    }

    std::size_t size() const {
        const std::lock_guard lock(mutex_);
        return entries_.size();
    }

  private:
    using Entries = std::list<std::pair<std::string, Loaded<State>>>;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    Entries entries_;  // most recently used first
    std::unordered_map<std::string, typename Entries::iterator> index_;
};

}  // namespace ordersource::eventstore
