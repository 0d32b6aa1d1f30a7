#include "app/order_intake.hpp"

#include <stdexcept>

#include "ordersource/core/ids.hpp"

namespace ordersource::gateway {

OrderIntake::OrderIntake(IdempotencyStore& idempotency,
                         EventPublisher& publisher,
                         const Clock& clock,
                         IdGenerator new_order_id,
                         std::string topic)
    : idempotency_(idempotency),
      publisher_(publisher),
      clock_(clock),
      new_order_id_(std::move(new_order_id)),
      topic_(std::move(topic)) {}

contracts::Envelope order_created_envelope(const OrderSubmission& submission,
                                           const std::string& order_id,
                                           const std::string& correlation_id,
                                           std::int64_t now_epoch_millis) {
    return contracts::Envelope{.event_id = core::derived_uuid("OrderCreated:" + order_id),
                               .type = "OrderCreated",
                               .schema_version = 1,
                               .stream_id = "order-" + order_id,
                               .stream_version = 0,
                               .occurred_at = contracts::format_rfc3339_millis(now_epoch_millis),
                               .correlation_id = correlation_id,
                               .causation_id = "",
                               .payload_json = order_created_payload(submission, order_id)};
}

void OrderIntake::submit(const SubmitOrder& command, std::function<void(IntakeOutcome)> done) {
    std::string order_id = new_order_id_();
    auto envelope = prepare(command, order_id);
    if (!command.idempotency_key) {
        publish(envelope, order_id, false, std::move(done));
        return;
    }
    auto fingerprint = canonical_form(command.submission);
    idempotency_.claim(
        *command.idempotency_key, {order_id, fingerprint},
        [this, command, order_id, fingerprint, envelope = std::move(envelope),
         done = std::move(done)](IdempotencyStore::Claimed claimed) mutable {
            if (const auto* error = std::get_if<std::string>(&claimed)) {
                done({IntakeStatus::kKeyStoreUnavailable, order_id,
                      "Idempotency-Key could not be recorded: " + *error});
                return;
            }
            const auto& stored = std::get<IdempotencyRecord>(claimed);
            if (stored.order_id == order_id) {
                publish(envelope, order_id, false, std::move(done));
            } else if (stored.fingerprint != fingerprint) {
                done({IntakeStatus::kKeyConflict, stored.order_id,
                      "Idempotency-Key was used before with a different request body"});
            } else {
                // A replay publishes the same event again (same derived event id): if the first
                // attempt never reached Kafka, this one delivers it; if it did, consumers dedupe.
                publish(prepare(command, stored.order_id), stored.order_id, true, std::move(done));
            }
        });
}

contracts::Envelope OrderIntake::prepare(const SubmitOrder& command,
                                         const std::string& order_id) const {
    auto envelope = order_created_envelope(command.submission, order_id, command.correlation_id,
                                           clock_.now_epoch_millis());
    // Producers validate too: a bug here must not put an invalid event on the topic.
    if (const auto violation = contracts::validate_payload(envelope.type, envelope.schema_version,
                                                           envelope.payload_json)) {
        throw std::logic_error("gateway built an invalid OrderCreated: " + violation->reason);
    }
    return envelope;
}

void OrderIntake::publish(const contracts::Envelope& envelope,
                          const std::string& order_id,
                          bool replay,
                          std::function<void(IntakeOutcome)> done) {
    publisher_.publish(
        topic_, order_id, envelope,
        [done = std::move(done), order_id, replay](const std::optional<std::string>& error) {
            if (error) {
                done({IntakeStatus::kUnavailable, order_id, *error});
            } else {
                done({replay ? IntakeStatus::kReplayed : IntakeStatus::kAccepted, order_id, ""});
            }
        });
}

}  // namespace ordersource::gateway
