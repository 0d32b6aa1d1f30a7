#pragma once
// The command cycle every event-sourced service runs: load the stream, fold it, decide,
// append what was decided with the version it was decided on, and decide again when another
// writer got there first. Event ids are derived from the cause, so running the same cause
// twice appends nothing the second time (docs/adr/0007-idempotency-by-derived-event-ids.md).

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ordersource/core/ids.hpp"
#include "ordersource/eventstore/event_store.hpp"

namespace ordersource::eventstore {

// Why the events are written: `id` names the derived event ids (an incoming event id, or a
// name such as "timeout:<order id>"); `metadata` goes on every event.
struct Cause {
    std::string id;
    EventMetadata metadata;
};

struct EncodedEvent {
    std::string type;
    std::string payload_json;
    int schema_version = 1;  // of the payload's schema, proto/events/<type>.v<N>
};

// The new events were stored (none when the decider decided nothing).
struct Recorded {
    AppendResult result;
    std::vector<std::string> types;  // of the stored events, in order
};

// `decide(state)` returns std::variant<std::vector<Event>, Rejection>; `encode(event)` returns
// EncodedEvent; `evolve(State, const RecordedEvent&)` folds. Returns Recorded, the decider's
// Rejection, or InvalidInput from the store. Throws StoreError on infrastructure failure and
// after `max_attempts` conflicts in a row.
template <typename Rejection, typename State, typename Evolve, typename Decide, typename Encode>
std::variant<Recorded, Rejection, InvalidInput> decide_and_append(EventStore& store,
                                                                  const StreamId& stream,
                                                                  const State& initial,
                                                                  Evolve evolve,
                                                                  Decide decide,
                                                                  Encode encode,
                                                                  const Cause& cause,
                                                                  int max_attempts = 5) {
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
        const auto loaded = load(store, stream, initial, evolve);
        auto decision = decide(loaded.state);
        if (auto* rejection = std::get_if<Rejection>(&decision)) return std::move(*rejection);
        const auto& events = std::get<0>(decision);
        std::vector<NewEvent> batch;
        batch.reserve(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            EncodedEvent encoded = encode(events[i]);
            const auto name = encoded.type + ":" + cause.id + ":" + std::to_string(i);
            batch.push_back({EventId{core::derived_uuid(name)}, std::move(encoded.type),
                             encoded.schema_version, std::move(encoded.payload_json),
                             cause.metadata});
        }
        if (batch.empty()) return Recorded{{}, {}};
        auto outcome = store.append(stream, Exact{loaded.version}, batch);
        if (auto* result = std::get_if<AppendResult>(&outcome)) {
            Recorded recorded{*result, {}};
            for (const auto& event : batch) recorded.types.push_back(event.type);
            return recorded;
        }
        if (auto* invalid = std::get_if<InvalidInput>(&outcome)) return std::move(*invalid);
        // ConcurrencyConflict: another writer appended meanwhile; decide again on its events.
    }
    throw StoreError("stream " + stream.value() + ": still conflicting after " +
                     std::to_string(max_attempts) + " attempts");
}

}  // namespace ordersource::eventstore
