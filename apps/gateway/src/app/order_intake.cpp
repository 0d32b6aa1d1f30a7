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
    bool replay = false;
    if (command.idempotency_key) {
        const auto fingerprint = canonical_form(command.submission);
        const auto stored = idempotency_.claim(*command.idempotency_key, {order_id, fingerprint});
        if (stored.order_id != order_id) {
            if (stored.fingerprint != fingerprint) {
                done({IntakeStatus::kKeyConflict, stored.order_id,
                      "Idempotency-Key was used before with a different request body"});
                return;
            }
            order_id = stored.order_id;
            replay = true;
        }
    }
    const auto envelope = order_created_envelope(command.submission, order_id,
                                                 command.correlation_id, clock_.now_epoch_millis());
    // Producers validate too: a bug here must not put an invalid event on the topic.
    if (const auto violation = contracts::validate_payload(envelope.type, envelope.schema_version,
                                                           envelope.payload_json)) {
        throw std::logic_error("gateway built an invalid OrderCreated: " + violation->reason);
    }
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
