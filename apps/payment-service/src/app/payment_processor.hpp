#pragma once
// The payment-service's use cases: PaymentRequested -> authorize or decline against the
// customer's credit (stream account-<customerId>), RefundRequested -> give the credit back.
// Randomness and latency come in as functions so tests drive them.

#include <chrono>
#include <functional>

#include "adapters/payment_event_codec.hpp"
#include "domain/account_decider.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::payment {

struct PaymentRules {
    core::Cents credit_limit{100000};
    // True when this payment should be declined by the "provider" (chaos runs).
    std::function<bool()> provider_declines = [] { return false; };
    // Called before each decision: simulated provider latency.
    std::function<void()> provider_delay = [] {};
    // Told the type of every event stored (metrics).
    std::function<void(const std::string& type)> on_recorded = [](const std::string&) {};
};

class PaymentProcessor {
  public:
    // `store` must outlive the processor.
    PaymentProcessor(eventstore::EventStore& store, PaymentRules rules);

    // The consumer's handler (order-events). Throws eventstore::StoreError when the store is
    // unreachable.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope);

  private:
    messaging::HandleOutcome execute(const PaymentRequest& request,
                                     const Command& command,
                                     const contracts::Envelope& cause);

    eventstore::EventStore& store_;
    PaymentRules rules_;
};

State evolve_recorded(State state, const eventstore::RecordedEvent& recorded);

}  // namespace ordersource::payment
