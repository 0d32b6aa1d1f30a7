#pragma once
// The payment-service's use cases: PaymentRequested -> authorize or decline against the
// customer's credit (stream account-<customerId>), RefundRequested -> give the credit back.
// Randomness and latency come in as functions so tests drive them.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

#include "adapters/payment_event_codec.hpp"
#include "domain/account_decider.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/decide_and_append.hpp"
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
    // Told what each batch read to load the accounts it did not hold (metrics; only with
    // snapshots).
    std::function<void(const eventstore::StreamLoads&)> on_accounts_loaded = nullptr;
};

class PaymentProcessor {
  public:
    // `store` (and `snapshots`) must outlive the processor. `cached_accounts`: how many folded
    // account streams to keep between batches (ADR 15). With `snapshots`, an account not in
    // memory is restored from its snapshot and read from there; one is saved every
    // `snapshot_every` events of the account (ADR 22).
    PaymentProcessor(eventstore::EventStore& store,
                     PaymentRules rules,
                     std::size_t cached_accounts = 100'000,
                     eventstore::StreamSnapshotStore* snapshots = nullptr,
                     std::int64_t snapshot_every = 100);

    // The consumer's batch handler (order-events): one outcome per envelope, in order; the
    // accounts' streams are read and appended together. Throws eventstore::StoreError when
    // the store is unreachable.
    std::vector<messaging::HandleOutcome> handle_all(
        const std::vector<const contracts::Envelope*>& envelopes);
    // One envelope: handle_all of one.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope);

  private:
    // The command an envelope asks for on its customer's account, or the answer when it asks
    // for none.
    std::variant<eventstore::StreamCommand<Command>, messaging::HandleOutcome> translate(
        const contracts::Envelope& envelope);

    eventstore::EventStore& store_;
    PaymentRules rules_;
    eventstore::StateCache<State> cache_;
    std::optional<eventstore::StreamSnapshotting<State>> snapshotting_;
};

State evolve_recorded(State state, const eventstore::RecordedEvent& recorded);

}  // namespace ordersource::payment
