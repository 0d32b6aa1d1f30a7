#pragma once
// The command cycle every event-sourced service runs: load the stream, fold it, decide,
// append what was decided with the version it was decided on, and decide again when another
// writer got there first. Event ids are derived from the cause, so running the same cause
// twice appends nothing the second time (docs/adr/0007-idempotency-by-derived-event-ids.md).
// decide_and_append_batch runs the same cycle for a consumer's whole batch of commands with
// one read and one append_many (docs/adr/0015-batched-consumption.md).

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "ordersource/core/ids.hpp"
#include "ordersource/core/log.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"
#include "ordersource/eventstore/state_cache.hpp"

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

// The events a cause decided, with ids derived from the cause and each event's place.
template <typename Event, typename Encode>
std::vector<NewEvent> encode_decided(const std::vector<Event>& events,
                                     Encode& encode,
                                     const Cause& cause) {
    std::vector<NewEvent> batch;
    batch.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        EncodedEvent encoded = encode(events[i]);
        const auto name = encoded.type + ":" + cause.id + ":" + std::to_string(i);
        batch.push_back({EventId{core::derived_uuid(name)}, std::move(encoded.type),
                         encoded.schema_version, std::move(encoded.payload_json), cause.metadata});
    }
    return batch;
}

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
        const auto batch = encode_decided(std::get<0>(decision), encode, cause);
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

// One command of a batch: the stream it acts on and the cause its events are named after.
template <typename Command>
struct StreamCommand {
    StreamId stream;
    Command command;
    Cause cause;
};

// What one batch read to load the streams it did not hold (metrics).
struct StreamLoads {
    std::size_t streams = 0;
    std::size_t from_snapshot = 0;  // of those streams
    std::size_t events = 0;         // read from the store, after the snapshots
};

// How decide_and_append_batch snapshots the streams it folds (docs/adr/0022-stream-snapshots.md):
// a stream it has to read is restored from its snapshot and read from the version after it;
// a stream's state is saved once every `every` events (where, `snapshot_due` says), or when
// loading it read `every` events or more (so streams written before snapshots existed get one
// at their first load). `every` <= 0 loads snapshots but never saves one.
template <typename State>
struct StreamSnapshotting {
    StreamSnapshotStore& store;
    int format = 1;
    std::int64_t every = 100;
    std::function<std::string(const State&)> encode;
    // nullopt when the text does not decode: the snapshot is then ignored.
    std::function<std::optional<State>(std::string_view)> decode;
    // Told what each batch that loaded streams read; may be empty.
    std::function<void(const StreamLoads&)> on_loaded = nullptr;
};

// Each command as decide_and_append would run it, one outcome per command in order, but for
// the whole batch at once: streams found in `cache` are taken from it (and put back once
// stored), the others are read in one
// read_streams_from; the commands of one stream are decided in order, each on the state the
// previous one left (`evolve_decided(State, const Event&)` folds a decided event); everything
// decided is stored with one append_many, each stream at the version it was decided on.
// A stream whose append conflicts or is refused, or whose cached state led to a rejection
// (the entry may be stale), runs its commands through decide_and_append on a fresh read.
// Recorded results carry each command's own versions and the positions of its stream's append.
// With `snapshots`, streams are read from their snapshots as StreamSnapshotting says; the
// fresh reads after a conflict or a rejection of cached state still read the whole stream.
// Throws StoreError on infrastructure failure (the batch may be partly stored; a rerun is a
// redelivery); a snapshot that cannot be saved is only logged.
template <typename Rejection,
          typename State,
          typename Command,
          typename Evolve,
          typename EvolveDecided,
          typename Decide,
          typename Encode>
std::vector<std::variant<Recorded, Rejection, InvalidInput>> decide_and_append_batch(
    EventStore& store,
    StateCache<State>& cache,
    const std::vector<StreamCommand<Command>>& commands,
    const State& initial,
    Evolve evolve,
    EvolveDecided evolve_decided,
    Decide decide,
    Encode encode,
    const StreamSnapshotting<State>* snapshots = nullptr) {
    using Outcome = std::variant<Recorded, Rejection, InvalidInput>;
    struct Plan {
        const StreamId* stream = nullptr;
        std::vector<std::size_t> commands;  // indexes, in batch order
        Loaded<State> loaded{};
        bool cached = false;
        bool fresh_run = false;       // decide_and_append, one command at a time
        std::size_t events_read = 0;  // from the store (after the snapshot, if any)
        std::vector<NewEvent> events;
        std::vector<std::pair<std::size_t, std::size_t>> slices;  // per command: first, count
    };
    std::vector<Plan> plans;
    std::unordered_map<std::string, std::size_t> plan_of;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const auto [at, added] = plan_of.try_emplace(commands[i].stream.value(), plans.size());
        if (added) {
            Plan plan;
            plan.stream = &commands[i].stream;
            plan.loaded.state = initial;
            plans.push_back(std::move(plan));
        }
        plans[at->second].commands.push_back(i);
    }
    std::vector<StreamId> unread;
    std::vector<std::size_t> unread_plans;
    for (std::size_t p = 0; p < plans.size(); ++p) {
        if (auto found = cache.take(*plans[p].stream)) {
            plans[p].loaded = std::move(*found);
            plans[p].cached = true;
        } else {
            unread.push_back(*plans[p].stream);
            unread_plans.push_back(p);
        }
    }
    if (!unread.empty()) {
        std::vector<StreamVersion> from(unread.size(), StreamVersion{1});
        StreamLoads loads{.streams = unread.size()};
        if (snapshots != nullptr) {
            const auto saved = snapshots->store.load_stream_snapshots(unread);
            for (std::size_t u = 0; u < unread_plans.size(); ++u) {
                if (!saved[u] || saved[u]->format != snapshots->format) continue;
                auto state = snapshots->decode(saved[u]->state);
                if (!state) continue;
                plans[unread_plans[u]].loaded = {std::move(*state), saved[u]->version};
                from[u] = StreamVersion{saved[u]->version.value() + 1};
                ++loads.from_snapshot;
            }
        }
        const auto streams = store.read_streams_from(unread, from);
        for (std::size_t u = 0; u < unread_plans.size(); ++u) {
            auto& plan = plans[unread_plans[u]];
            plan.events_read = streams[u].size();
            loads.events += streams[u].size();
            for (const RecordedEvent& event : streams[u]) {
                plan.loaded.state = evolve(std::move(plan.loaded.state), event);
                plan.loaded.version = event.stream_version;
            }
        }
        if (snapshots != nullptr && snapshots->on_loaded) snapshots->on_loaded(loads);
    }
    std::vector<std::pair<StreamId, StreamSnapshot>> snapshots_due;
    const auto snapshot_if_due = [&](const Plan& plan, const State& state, StreamVersion before,
                                     StreamVersion after) {
        if (snapshots == nullptr || snapshots->every <= 0) return;
        const auto every = snapshots->every;
        if (!snapshot_due(*plan.stream, before, after, every) &&
            static_cast<std::int64_t>(plan.events_read) < every) {
            return;
        }
        snapshots_due.emplace_back(
            *plan.stream, StreamSnapshot{after, snapshots->format, snapshots->encode(state)});
    };

    std::vector<std::optional<Outcome>> outcomes(commands.size());
    std::vector<std::vector<std::string>> types(commands.size());
    std::vector<AppendRequest> requests;
    std::vector<std::size_t> requesting_plans;
    for (std::size_t p = 0; p < plans.size(); ++p) {
        Plan& plan = plans[p];
        // Moved, not copied: an account's state holds every order it ever paid for.
        State state = std::move(plan.loaded.state);
        for (const std::size_t i : plan.commands) {
            auto decision = decide(commands[i].command, state);
            if (auto* rejection = std::get_if<Rejection>(&decision)) {
                if (plan.cached) {
                    plan.fresh_run = true;
                    break;
                }
                outcomes[i] = std::move(*rejection);
                plan.slices.emplace_back(plan.events.size(), 0);
                continue;
            }
            const auto& decided = std::get<0>(decision);
            auto encoded = encode_decided(decided, encode, commands[i].cause);
            plan.slices.emplace_back(plan.events.size(), encoded.size());
            for (auto& event : encoded) {
                types[i].push_back(event.type);
                plan.events.push_back(std::move(event));
            }
            for (const auto& event : decided) state = evolve_decided(std::move(state), event);
        }
        if (plan.fresh_run) continue;
        if (plan.events.empty()) {
            // Nothing to store: the state is what it was, still worth keeping.
            for (const std::size_t i : plan.commands)
                if (!outcomes[i]) outcomes[i] = Recorded{{}, {}};
            snapshot_if_due(plan, state, plan.loaded.version, plan.loaded.version);
            cache.put(*plan.stream, {std::move(state), plan.loaded.version});
            continue;
        }
        plan.loaded.state = std::move(state);  // what the stream is once the append is stored
        requests.push_back({*plan.stream, Exact{plan.loaded.version}, std::move(plan.events)});
        requesting_plans.push_back(p);
    }
    const auto appended =
        requests.empty() ? std::vector<AppendOutcome>{} : store.append_many(requests);
    for (std::size_t r = 0; r < requests.size(); ++r) {
        Plan& plan = plans[requesting_plans[r]];
        const auto* result = std::get_if<AppendResult>(&appended[r]);
        if (result == nullptr) {
            // Another writer moved the stream, or the store refused the combined events:
            // each command gets its own answer on a fresh read.
            plan.fresh_run = true;
            continue;
        }
        for (std::size_t c = 0; c < plan.commands.size(); ++c) {
            const std::size_t i = plan.commands[c];
            if (outcomes[i]) continue;  // a rejection
            const auto [first, count] = plan.slices[c];
            if (count == 0) {
                outcomes[i] = Recorded{{}, {}};
                continue;
            }
            Recorded recorded{*result, std::move(types[i])};
            const auto base = result->first_version.value() + static_cast<std::int64_t>(first);
            recorded.result.first_version = StreamVersion{base};
            recorded.result.last_version =
                StreamVersion{base + static_cast<std::int64_t>(count) - 1};
            outcomes[i] = std::move(recorded);
        }
        snapshot_if_due(plan, plan.loaded.state, plan.loaded.version, result->last_version);
        cache.put(*plan.stream, {std::move(plan.loaded.state), result->last_version});
    }
    if (!snapshots_due.empty()) {
        try {
            snapshots->store.save_stream_snapshots(snapshots_due);
        } catch (const std::exception& error) {
            // The events are stored; a snapshot is only a shortcut to them.
            core::log(core::LogLevel::kWarn, "stream snapshots not saved",
                      {{"streams", std::to_string(snapshots_due.size())}, {"error", error.what()}});
        }
    }
    for (Plan& plan : plans) {
        if (!plan.fresh_run) continue;
        cache.forget(*plan.stream);
        for (const std::size_t i : plan.commands) {
            const auto& command = commands[i].command;
            outcomes[i] = decide_and_append<Rejection>(
                store, *plan.stream, initial, evolve,
                [&](const State& state) { return decide(command, state); }, encode,
                commands[i].cause);
        }
    }
    std::vector<Outcome> answers;
    answers.reserve(outcomes.size());
    for (auto& outcome : outcomes) answers.push_back(std::move(*outcome));
    return answers;
}

}  // namespace ordersource::eventstore
