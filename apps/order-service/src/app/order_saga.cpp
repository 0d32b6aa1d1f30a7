#include "app/order_saga.hpp"

#include "adapters/order_event_codec.hpp"
#include "ordersource/core/log.hpp"
#include "ordersource/eventstore/decide_and_append.hpp"

namespace ordersource::order {
namespace {

bool is_redelivery_or_lost_race(RejectionCode code) {
    return code == RejectionCode::kAlreadyExists || code == RejectionCode::kDuplicate ||
           code == RejectionCode::kAlreadyTerminal || code == RejectionCode::kNotDue;
}

}  // namespace

State evolve_recorded(State state, const eventstore::RecordedEvent& recorded) {
    if (auto event = decode_event(recorded.type, recorded.payload_json)) {
        return evolve(std::move(state), *event);
    }
    core::log(core::LogLevel::kWarn, "skipping an event this build cannot read",
              {{"event_id", recorded.event_id.value()}, {"type", recorded.type}});
    return state;
}

OrderSaga::OrderSaga(eventstore::EventStore& store,
                     Clock clock,
                     std::chrono::milliseconds payment_timeout,
                     std::function<void(const std::string& type)> on_recorded)
    : store_(store),
      clock_(std::move(clock)),
      payment_timeout_(payment_timeout),
      on_recorded_(std::move(on_recorded)) {}

messaging::HandleOutcome OrderSaga::handle(const contracts::Envelope& envelope) {
    const Cause cause{envelope.event_id, envelope.correlation_id, envelope.event_id};
    if (envelope.type == "OrderCreated") {
        auto created = decode_order_created(envelope.payload_json);
        if (!created)
            return messaging::Unprocessable{"OrderCreated payload does not fit the order"};
        const auto order_id = created->order_id;
        const auto created_at = contracts::parse_rfc3339_millis(envelope.occurred_at);
        return handle_command(
            order_id,
            AcceptOrder{created->order_id, created->customer_id, created->currency,
                        std::move(created->items), created->total, clock_() + payment_timeout_,
                        created_at
                            ? std::optional(TimePoint(std::chrono::milliseconds(*created_at)))
                            : std::nullopt},
            cause);
    }
    const bool is_payment_result = envelope.type == "PaymentAuthorized" ||
                                   envelope.type == "PaymentDeclined" ||
                                   envelope.type == "PaymentRefunded";
    if (!is_payment_result) return messaging::Handled{};  // not ours to act on
    const auto order_id = decode_order_id(envelope.payload_json);
    const auto amount = decode_payment_amount(envelope.payload_json);
    if (!order_id || !amount)
        return messaging::Unprocessable{envelope.type + " payload lacks orderId or amount"};
    if (envelope.type == "PaymentAuthorized") {
        return handle_command(*order_id, RecordPaymentAuthorized{*amount}, cause);
    }
    if (envelope.type == "PaymentDeclined") {
        return handle_command(*order_id, RecordPaymentDeclined{envelope.type}, cause);
    }
    return handle_command(*order_id, RecordPaymentRefunded{*amount}, cause);
}

messaging::HandleOutcome OrderSaga::handle_command(const std::string& order_id,
                                                   const Command& command,
                                                   const Cause& cause) {
    auto executed = execute(order_id, command, cause);
    if (executed.result == Result::kRefused)
        return messaging::Unprocessable{std::move(executed.reason)};
    return messaging::Handled{};
}

bool OrderSaga::cancel_if_overdue(const std::string& order_id,
                                  const std::string& correlation_id,
                                  const std::string& payment_request_id) {
    // Named after the order, not a message: every instance that notices the same overdue order
    // derives the same event id, so only one cancellation is ever stored.
    const Cause cause{"timeout:" + order_id, correlation_id, payment_request_id};
    return execute(order_id, CancelOverdue{clock_()}, cause).result == Result::kRecorded;
}

OrderSaga::Executed OrderSaga::execute(const std::string& order_id,
                                       const Command& command,
                                       const Cause& cause) {
    const auto outcome = eventstore::decide_and_append<Rejection>(
        store_, eventstore::StreamId{stream_id(order_id)}, initial_state(), evolve_recorded,
        [&command](const State& state) { return decide(command, state); }, encode_event,
        {cause.id, {cause.correlation_id, cause.causation_id}});
    if (const auto* rejection = std::get_if<Rejection>(&outcome)) {
        if (is_redelivery_or_lost_race(rejection->code)) {
            core::log(
                core::LogLevel::kDebug, "nothing to do",
                {{"order_id", order_id}, {"event_id", cause.id}, {"reason", rejection->reason}});
            return {Result::kNothingToDo, {}};
        }
        return {Result::kRefused,
                std::string(rejection_code_name(rejection->code)) + ": " + rejection->reason};
    }
    if (const auto* invalid = std::get_if<eventstore::InvalidInput>(&outcome)) {
        return {Result::kRefused, "event store refused the events: " + invalid->reason};
    }
    core::log(core::LogLevel::kInfo, "order events recorded",
              {{"order_id", order_id},
               {"count", std::to_string(std::get<eventstore::Recorded>(outcome).types.size())},
               {"correlation_id", cause.correlation_id},
               {"causation_id", cause.causation_id}});
    if (on_recorded_) {
        for (const auto& type : std::get<eventstore::Recorded>(outcome).types) on_recorded_(type);
    }
    return {Result::kRecorded, {}};
}

}  // namespace ordersource::order
