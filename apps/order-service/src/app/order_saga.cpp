#include "app/order_saga.hpp"

#include "adapters/order_event_codec.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::order {
namespace {

bool is_redelivery_or_lost_race(RejectionCode code) {
    return code == RejectionCode::kAlreadyExists || code == RejectionCode::kDuplicate ||
           code == RejectionCode::kAlreadyTerminal || code == RejectionCode::kNotDue;
}

// "order-<id>" -> "<id>", for logs.
std::string order_id_of(const eventstore::StreamId& stream) {
    return stream.value().substr(stream_id("").size());
}

eventstore::StreamCommand<Command> on_stream(const std::string& order_id,
                                             Command command,
                                             eventstore::Cause cause) {
    return {eventstore::StreamId{stream_id(order_id)}, std::move(command), std::move(cause)};
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
                     std::function<void(const std::string& type)> on_recorded,
                     std::size_t cached_orders)
    : store_(store),
      cache_(cached_orders),
      clock_(std::move(clock)),
      payment_timeout_(payment_timeout),
      on_recorded_(std::move(on_recorded)) {}

std::variant<eventstore::StreamCommand<Command>, messaging::HandleOutcome> OrderSaga::translate(
    const contracts::Envelope& envelope) const {
    const eventstore::Cause cause{envelope.event_id, {envelope.correlation_id, envelope.event_id}};
    if (envelope.type == "OrderCreated") {
        auto created = decode_order_created(envelope.payload_json);
        if (!created)
            return messaging::Unprocessable{"OrderCreated payload does not fit the order"};
        const auto order_id = created->order_id;
        const auto created_at = contracts::parse_rfc3339_millis(envelope.occurred_at);
        return on_stream(
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
        return on_stream(*order_id, RecordPaymentAuthorized{*amount}, cause);
    }
    if (envelope.type == "PaymentDeclined") {
        return on_stream(*order_id, RecordPaymentDeclined{envelope.type}, cause);
    }
    return on_stream(*order_id, RecordPaymentRefunded{*amount}, cause);
}

std::vector<messaging::HandleOutcome> OrderSaga::handle_all(
    const std::vector<const contracts::Envelope*>& envelopes) {
    std::vector<messaging::HandleOutcome> outcomes(envelopes.size(), messaging::Handled{});
    std::vector<eventstore::StreamCommand<Command>> commands;
    std::vector<std::size_t> asked_by;  // the envelope of each command
    for (std::size_t e = 0; e < envelopes.size(); ++e) {
        auto translated = translate(*envelopes[e]);
        if (auto* answer = std::get_if<messaging::HandleOutcome>(&translated)) {
            outcomes[e] = std::move(*answer);
            continue;
        }
        commands.push_back(std::move(std::get<eventstore::StreamCommand<Command>>(translated)));
        asked_by.push_back(e);
    }
    if (commands.empty()) return outcomes;
    const auto results = eventstore::decide_and_append_batch<Rejection>(
        store_, cache_, commands, initial_state(), evolve_recorded,
        [](State state, const Event& event) { return evolve(std::move(state), event); },
        [](const Command& command, const State& state) { return decide(command, state); },
        encode_event);
    for (std::size_t c = 0; c < commands.size(); ++c) {
        const auto executed = conclude(commands[c].stream, commands[c].cause, results[c]);
        if (executed.result == Result::kRefused) {
            outcomes[asked_by[c]] = messaging::Unprocessable{executed.reason};
        }
    }
    return outcomes;
}

messaging::HandleOutcome OrderSaga::handle(const contracts::Envelope& envelope) {
    return handle_all({&envelope}).front();
}

bool OrderSaga::cancel_if_overdue(const std::string& order_id,
                                  const std::string& correlation_id,
                                  const std::string& payment_request_id) {
    // Named after the order, not a message: every instance that notices the same overdue order
    // derives the same event id, so only one cancellation is ever stored.
    const eventstore::Cause cause{"timeout:" + order_id, {correlation_id, payment_request_id}};
    const eventstore::StreamId stream{stream_id(order_id)};
    const auto outcome = eventstore::decide_and_append<Rejection>(
        store_, stream, initial_state(), evolve_recorded,
        [now = clock_()](const State& state) { return decide(CancelOverdue{now}, state); },
        encode_event, cause);
    // The consumer's batches must not decide on the state before this.
    cache_.forget(stream);
    return conclude(stream, cause, outcome).result == Result::kRecorded;
}

OrderSaga::Executed OrderSaga::conclude(const eventstore::StreamId& stream,
                                        const eventstore::Cause& cause,
                                        const CommandOutcome& outcome) {
    if (const auto* rejection = std::get_if<Rejection>(&outcome)) {
        if (is_redelivery_or_lost_race(rejection->code)) {
            core::log(core::LogLevel::kDebug, "nothing to do",
                      {{"order_id", order_id_of(stream)},
                       {"event_id", cause.id},
                       {"reason", rejection->reason}});
            return {Result::kNothingToDo, {}};
        }
        return {Result::kRefused,
                std::string(rejection_code_name(rejection->code)) + ": " + rejection->reason};
    }
    if (const auto* invalid = std::get_if<eventstore::InvalidInput>(&outcome)) {
        return {Result::kRefused, "event store refused the events: " + invalid->reason};
    }
    const auto& recorded = std::get<eventstore::Recorded>(outcome);
    if (recorded.types.empty()) return {Result::kNothingToDo, {}};
    core::log(core::LogLevel::kInfo, "order events recorded",
              {{"order_id", order_id_of(stream)},
               {"count", std::to_string(recorded.types.size())},
               {"correlation_id", cause.metadata.correlation_id},
               {"causation_id", cause.metadata.causation_id}});
    if (on_recorded_) {
        for (const auto& type : recorded.types) on_recorded_(type);
    }
    return {Result::kRecorded, {}};
}

}  // namespace ordersource::order
