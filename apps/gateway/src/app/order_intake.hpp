#pragma once
// The gateway's one command: accept a validated order submission, publish OrderCreated to
// Kafka, and report once Kafka acknowledged it. With an Idempotency-Key, a repeated request
// gets the first request's order id and publishes the SAME event again (same event id, so
// downstream de-duplicates it): a first attempt whose acknowledgement was lost is completed
// by the retry instead of being lost or doubled.

#include <functional>
#include <optional>
#include <string>

#include "app/ports.hpp"
#include "domain/order_submission.hpp"
#include "ordersource/contracts/topics.hpp"

namespace ordersource::gateway {

struct SubmitOrder {
    OrderSubmission submission;
    std::optional<std::string> idempotency_key;
    std::string correlation_id;
};

enum class IntakeStatus {
    kAccepted,             // new order, acknowledged by Kafka
    kReplayed,             // same key and body as an earlier request: that order, acknowledged
    kKeyConflict,          // same key, different body
    kUnavailable,          // Kafka did not acknowledge; nothing new was accepted
    kKeyStoreUnavailable,  // the Idempotency-Key could not be recorded; nothing was published
};

struct IntakeOutcome {
    IntakeStatus status;
    std::string order_id;
    std::string detail;
};

class OrderIntake {
  public:
    using IdGenerator = std::function<std::string()>;

    // `topic` is order-created in production; tests pass a topic of their own.
    OrderIntake(IdempotencyStore& idempotency,
                EventPublisher& publisher,
                const Clock& clock,
                IdGenerator new_order_id,
                std::string topic = std::string(contracts::topics::kOrderCreated));

    // `done` runs exactly once, on the publisher's thread or the caller's.
    void submit(const SubmitOrder& command, std::function<void(IntakeOutcome)> done);

  private:
    // The checked OrderCreated for the order. Built on the caller's thread before the key is
    // claimed, so the claim's callbacks (one writer thread for all requests) only produce.
    contracts::Envelope prepare(const SubmitOrder& command, const std::string& order_id) const;
    void publish(const contracts::Envelope& envelope,
                 const std::string& order_id,
                 bool replay,
                 std::function<void(IntakeOutcome)> done);

    IdempotencyStore& idempotency_;
    EventPublisher& publisher_;
    const Clock& clock_;
    IdGenerator new_order_id_;
    std::string topic_;
};

// The OrderCreated envelope for an order (deterministic event id per order id).
contracts::Envelope order_created_envelope(const OrderSubmission& submission,
                                           const std::string& order_id,
                                           const std::string& correlation_id,
                                           std::int64_t now_epoch_millis);

}  // namespace ordersource::gateway
