#pragma once
// Cancels orders whose payment deadline passed. The deadlines are data (PaymentRequested
// events), so the watcher rebuilds its index by tailing the store in commit order - an
// order-service that was down past a deadline cancels the overdue order when it comes back.
// Every instance watches every order; the saga's derived event ids and optimistic concurrency
// make a cancellation raced by two instances a single event (docs/adr/0009-payment-deadlines.md).

#include <chrono>
#include <cstddef>
#include <map>
#include <stop_token>
#include <string>

#include "app/order_saga.hpp"
#include "ordersource/eventstore/event_store.hpp"

namespace ordersource::order {

class DeadlineWatcher {
  public:
    // References must outlive the watcher.
    DeadlineWatcher(const eventstore::EventStore& store, OrderSaga& saga, Clock clock);

    // Reads what the store recorded since the last call into the index; returns how many
    // events. Stops early, between pages, when `stop` is requested: the first catch-up of a
    // big store reads millions of events, and a shutdown must not wait for them.
    std::size_t catch_up(std::stop_token stop = {});
    // Cancels every indexed order whose deadline is at or before now; returns how many.
    // Stops early when `stop` is requested; what it did not reach stays indexed.
    std::size_t cancel_overdue(std::stop_token stop = {});
    // Orders waiting for a payment result.
    std::size_t pending() const { return deadlines_.size(); }

    // catch_up + cancel_overdue every `interval` until stop; store failures are logged and retried.
    void run(std::stop_token stop, std::chrono::milliseconds interval);

  private:
    const eventstore::EventStore& store_;
    OrderSaga& saga_;
    Clock clock_;
    eventstore::CommitPosition position_ = eventstore::kStartOfAll;
    struct Deadline {
        TimePoint due;
        std::string correlation_id;  // carried on to the cancellation
        std::string payment_request_id;
    };
    std::map<std::string, Deadline> deadlines_;  // by order id
};

}  // namespace ordersource::order
