#pragma once
// The order-service's use cases: turn each incoming event (OrderCreated from the gateway,
// Payment* from the payment service) or an overdue deadline into a command on the order's
// stream, decide, and append. Redelivery is a no-op: derived event ids make the append
// idempotent and the decider rejects what was already recorded (docs/adr/0007).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "domain/order_decider.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/decide_and_append.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::order {

using Clock = std::function<TimePoint()>;

class OrderSaga {
  public:
    // `store` must outlive the saga. `payment_timeout`: how long an accepted order waits for
    // a payment result before it is cancelled with TIMEOUT.
    // `on_recorded` is told the type of every event stored (metrics).
    // `cached_orders`: how many folded order streams to keep between batches (ADR 15).
    OrderSaga(eventstore::EventStore& store,
              Clock clock,
              std::chrono::milliseconds payment_timeout,
              std::function<void(const std::string& type)> on_recorded = {},
              std::size_t cached_orders = 100'000);

    // The consumer's batch handler: one outcome per envelope, in order; the orders' streams
    // are read and appended together (eventstore::decide_and_append_batch). Throws
    // eventstore::StoreError when the store is unreachable.
    std::vector<messaging::HandleOutcome> handle_all(
        const std::vector<const contracts::Envelope*>& envelopes);
    // One envelope: handle_all of one.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope);

    // Cancels the order with TIMEOUT if it is still pending and its deadline passed; the
    // cancellation carries the order's correlation id and names the PaymentRequested event
    // whose deadline expired as its cause. True when it was cancelled by this call.
    bool cancel_if_overdue(const std::string& order_id,
                           const std::string& correlation_id,
                           const std::string& payment_request_id);

  private:
    enum class Result { kRecorded, kNothingToDo, kRefused };
    struct Executed {
        Result result;
        std::string reason;  // why it was refused
    };
    using CommandOutcome = std::variant<eventstore::Recorded, Rejection, eventstore::InvalidInput>;
    // What an envelope asks of its order, or the answer when it asks nothing of it.
    std::variant<eventstore::StreamCommand<Command>, messaging::HandleOutcome> translate(
        const contracts::Envelope& envelope) const;
    // Logs, counts and classifies what the command cycle answered.
    Executed conclude(const eventstore::StreamId& stream,
                      const eventstore::Cause& cause,
                      const CommandOutcome& outcome);

    eventstore::EventStore& store_;
    eventstore::StateCache<State> cache_;
    Clock clock_;
    std::chrono::milliseconds payment_timeout_;
    std::function<void(const std::string& type)> on_recorded_;
};

// Folds a stored event into the order (events this build cannot decode are skipped: they
// were validated when produced, so this only happens with a newer schema version).
State evolve_recorded(State state, const eventstore::RecordedEvent& recorded);

}  // namespace ordersource::order
