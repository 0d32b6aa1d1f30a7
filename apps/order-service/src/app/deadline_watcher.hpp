#pragma once
// Cancels orders whose payment deadline passed. The deadlines are data (PaymentRequested
// events), so the watcher rebuilds its index by tailing the store in commit order - an
// order-service that was down past a deadline cancels the overdue order when it comes back.
// Every instance watches every order; the saga's derived event ids and optimistic concurrency
// make a cancellation raced by two instances a single event (docs/adr/0009-payment-deadlines.md).
// The index and its position are saved as a snapshot now and then, so a restart reads what
// came after it rather than the whole store (docs/adr/0020-deadline-watcher-snapshots.md).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>

#include "app/order_saga.hpp"
#include "domain/payment_deadlines.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"

namespace ordersource::order {

class DeadlineWatcher {
  public:
    // Every instance reads and writes the one snapshot: any instance's index at a position is
    // the same fold of the same store, so each may resume from another's.
    static constexpr const char* kSnapshotName = "deadline-watcher";

    // References must outlive the watcher; without `snapshots` every start reads the store
    // from its beginning.
    DeadlineWatcher(const eventstore::EventStore& store,
                    OrderSaga& saga,
                    Clock clock,
                    eventstore::SnapshotStore* snapshots = nullptr);

    // Replaces the index with the last saved snapshot, so the next catch_up reads only what
    // the store recorded after it. Returns false, keeping the index as it is, when there is
    // none or it is in a format this build does not read (then catch_up reads from the
    // start, as it would without snapshots). Throws what the snapshot store throws.
    bool restore();
    // Saves the index at the position catch_up reached; does nothing when catch_up read
    // nothing since the last save or restore. Returns whether it saved.
    bool save_snapshot();

    // Reads what the store recorded since the last call into the index; returns how many
    // events. Stops early, between pages, when `stop` is requested: the first catch-up of a
    // big store reads millions of events, and a shutdown must not wait for them.
    std::size_t catch_up(std::stop_token stop = {});
    // Cancels every indexed order whose deadline is at or before now; returns how many.
    // Stops early when `stop` is requested; what it did not reach stays indexed.
    std::size_t cancel_overdue(std::stop_token stop = {});
    // Orders waiting for a payment result, as of the last call above (safe from any thread:
    // the metrics route reads it).
    std::size_t pending() const { return pending_.load(std::memory_order_relaxed); }
    // Whether a catch_up has reached the end of the store: until then an overdue order may
    // go unnoticed (safe from any thread: the readiness route reads it).
    bool caught_up() const { return caught_up_.load(std::memory_order_relaxed); }

    // restore once, then catch_up + cancel_overdue every `interval` and save_snapshot every
    // `snapshot_interval`, until stop; saves once more on the way out. Store failures are
    // logged and retried.
    void run(std::stop_token stop,
             std::chrono::milliseconds interval,
             std::chrono::milliseconds snapshot_interval = std::chrono::seconds(10));

  private:
    const eventstore::EventStore& store_;
    OrderSaga& saga_;
    Clock clock_;
    eventstore::SnapshotStore* snapshots_;
    eventstore::CommitPosition position_ = eventstore::kStartOfAll;
    std::optional<eventstore::CommitPosition> saved_position_;
    PaymentDeadlines deadlines_;
    std::atomic<std::size_t> pending_{0};
    std::atomic<bool> caught_up_{false};
};

}  // namespace ordersource::order
