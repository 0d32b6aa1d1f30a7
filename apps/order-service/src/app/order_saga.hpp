#pragma once
// The order-service's use cases: turn each incoming event (OrderCreated from the gateway,
// Payment* from the payment service) or an overdue deadline into a command on the order's
// stream, decide, and append. Redelivery is a no-op: derived event ids make the append
// idempotent and the decider rejects what was already recorded (docs/adr/0007).

#include <chrono>
#include <functional>
#include <string>

#include "domain/order_decider.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::order {

using Clock = std::function<TimePoint()>;

class OrderSaga {
  public:
    // `store` must outlive the saga. `payment_timeout`: how long an accepted order waits for
    // a payment result before it is cancelled with TIMEOUT.
    // `on_recorded` is told the type of every event stored (metrics).
    OrderSaga(eventstore::EventStore& store,
              Clock clock,
              std::chrono::milliseconds payment_timeout,
              std::function<void(const std::string& type)> on_recorded = {});

    // The consumer's handler. Throws eventstore::StoreError when the store is unreachable.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope);

    // Cancels the order with TIMEOUT if it is still pending and its deadline passed; the
    // cancellation carries the order's correlation id and names the PaymentRequested event
    // whose deadline expired as its cause. True when it was cancelled by this call.
    bool cancel_if_overdue(const std::string& order_id,
                           const std::string& correlation_id,
                           const std::string& payment_request_id);

  private:
    struct Cause {
        std::string id;  // derived event ids are named after it
        std::string correlation_id;
        std::string causation_id;
    };
    enum class Result { kRecorded, kNothingToDo, kRefused };
    struct Executed {
        Result result;
        std::string reason;  // why it was refused
    };
    Executed execute(const std::string& order_id, const Command& command, const Cause& cause);
    messaging::HandleOutcome handle_command(const std::string& order_id,
                                            const Command& command,
                                            const Cause& cause);

    eventstore::EventStore& store_;
    Clock clock_;
    std::chrono::milliseconds payment_timeout_;
    std::function<void(const std::string& type)> on_recorded_;
};

// Folds a stored event into the order (events this build cannot decode are skipped: they
// were validated when produced, so this only happens with a newer schema version).
State evolve_recorded(State state, const eventstore::RecordedEvent& recorded);

}  // namespace ordersource::order
