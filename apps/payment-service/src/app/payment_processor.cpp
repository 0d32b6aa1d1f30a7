#include "app/payment_processor.hpp"

#include "adapters/account_state_codec.hpp"
#include "adapters/payment_event_codec.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::payment {

State evolve_recorded(State state, const eventstore::RecordedEvent& recorded) {
    if (auto event = decode_event(recorded.type, recorded.payload_json)) {
        return evolve(std::move(state), *event);
    }
    core::log(core::LogLevel::kWarn, "skipping an event this build cannot read",
              {{"event_id", recorded.event_id.value()}, {"type", recorded.type}});
    return state;
}

PaymentProcessor::PaymentProcessor(eventstore::EventStore& store,
                                   PaymentRules rules,
                                   std::size_t cached_accounts,
                                   eventstore::StreamSnapshotStore* snapshots,
                                   std::int64_t snapshot_every)
    : store_(store), rules_(std::move(rules)), cache_(cached_accounts) {
    if (snapshots != nullptr) {
        snapshotting_.emplace(eventstore::StreamSnapshotting<State>{
            *snapshots, kAccountStateFormat, snapshot_every, encode_account_state,
            decode_account_state, rules_.on_accounts_loaded});
    }
}

std::variant<eventstore::StreamCommand<Command>, messaging::HandleOutcome>
PaymentProcessor::translate(const contracts::Envelope& envelope) {
    const bool is_request = envelope.type == "PaymentRequested";
    if (!is_request && envelope.type != "RefundRequested") return messaging::Handled{};  // not ours
    const auto request = decode_payment_request(envelope.payload_json);
    if (!request)
        return messaging::Unprocessable{envelope.type + " payload lacks order, customer or amount"};
    eventstore::StreamCommand<Command> command{
        eventstore::StreamId{stream_id(request->customer_id)},
        RefundPayment{request->order_id},
        {envelope.event_id, {envelope.correlation_id, envelope.event_id}}};
    if (is_request) {
        rules_.provider_delay();
        command.command =
            AuthorizePayment{request->order_id, request->customer_id, request->amount,
                             request->currency, rules_.credit_limit,  rules_.provider_declines()};
    }
    return command;
}

std::vector<messaging::HandleOutcome> PaymentProcessor::handle_all(
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
        encode_event, snapshotting_ ? &*snapshotting_ : nullptr);
    for (std::size_t c = 0; c < commands.size(); ++c) {
        const auto& cause = *envelopes[asked_by[c]];
        if (const auto* rejection = std::get_if<Rejection>(&results[c])) {
            if (rejection->code != RejectionCode::kDuplicate) {  // a duplicate is a redelivery
                outcomes[asked_by[c]] = messaging::Unprocessable{
                    std::string(rejection_code_name(rejection->code)) + ": " + rejection->reason};
            }
            continue;
        }
        if (const auto* invalid = std::get_if<eventstore::InvalidInput>(&results[c])) {
            outcomes[asked_by[c]] =
                messaging::Unprocessable{"event store refused the events: " + invalid->reason};
            continue;
        }
        const auto& recorded = std::get<eventstore::Recorded>(results[c]);
        for (const auto& type : recorded.types) rules_.on_recorded(type);
        core::log(core::LogLevel::kInfo, "payment decided",
                  {{"order_id", std::visit([](const auto& command) { return command.order_id; },
                                           commands[c].command)},
                   {"account", commands[c].stream.value()},
                   {"event_id", cause.event_id},
                   {"type", cause.type},
                   {"correlation_id", cause.correlation_id}});
    }
    return outcomes;
}

messaging::HandleOutcome PaymentProcessor::handle(const contracts::Envelope& envelope) {
    return handle_all({&envelope}).front();
}

}  // namespace ordersource::payment
