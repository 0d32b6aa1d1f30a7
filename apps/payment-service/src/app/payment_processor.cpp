#include "app/payment_processor.hpp"

#include "adapters/payment_event_codec.hpp"
#include "ordersource/core/log.hpp"
#include "ordersource/eventstore/decide_and_append.hpp"

namespace ordersource::payment {

State evolve_recorded(State state, const eventstore::RecordedEvent& recorded) {
    if (auto event = decode_event(recorded.type, recorded.payload_json)) {
        return evolve(std::move(state), *event);
    }
    core::log(core::LogLevel::kWarn, "skipping an event this build cannot read",
              {{"event_id", recorded.event_id.value()}, {"type", recorded.type}});
    return state;
}

PaymentProcessor::PaymentProcessor(eventstore::EventStore& store, PaymentRules rules)
    : store_(store), rules_(std::move(rules)) {}

messaging::HandleOutcome PaymentProcessor::handle(const contracts::Envelope& envelope) {
    const bool is_request = envelope.type == "PaymentRequested";
    if (!is_request && envelope.type != "RefundRequested") return messaging::Handled{};  // not ours
    const auto request = decode_payment_request(envelope.payload_json);
    if (!request)
        return messaging::Unprocessable{envelope.type + " payload lacks order, customer or amount"};
    if (!is_request) return execute(*request, RefundPayment{request->order_id}, envelope);
    rules_.provider_delay();
    return execute(
        *request,
        AuthorizePayment{request->order_id, request->customer_id, request->amount,
                         request->currency, rules_.credit_limit, rules_.provider_declines()},
        envelope);
}

messaging::HandleOutcome PaymentProcessor::execute(const PaymentRequest& request,
                                                   const Command& command,
                                                   const contracts::Envelope& cause) {
    const auto outcome = eventstore::decide_and_append<Rejection>(
        store_, eventstore::StreamId{stream_id(request.customer_id)}, initial_state(),
        evolve_recorded, [&command](const State& state) { return decide(command, state); },
        encode_event, {cause.event_id, {cause.correlation_id, cause.event_id}});
    if (const auto* rejection = std::get_if<Rejection>(&outcome)) {
        if (rejection->code == RejectionCode::kDuplicate)
            return messaging::Handled{};  // redelivery
        return messaging::Unprocessable{std::string(rejection_code_name(rejection->code)) + ": " +
                                        rejection->reason};
    }
    if (const auto* invalid = std::get_if<eventstore::InvalidInput>(&outcome)) {
        return messaging::Unprocessable{"event store refused the events: " + invalid->reason};
    }
    for (const auto& type : std::get<eventstore::Recorded>(outcome).types) rules_.on_recorded(type);
    core::log(core::LogLevel::kInfo, "payment decided",
              {{"order_id", request.order_id},
               {"customer_id", request.customer_id},
               {"event_id", cause.event_id},
               {"type", cause.type},
               {"correlation_id", cause.correlation_id}});
    return messaging::Handled{};
}

}  // namespace ordersource::payment
