#include "ordersource/eventstore/types.hpp"

#include <type_traits>

#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"

namespace ordersource::eventstore {

std::string to_string(const ExpectedVersion& expected) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Any>) {
                return "any";
            } else if constexpr (std::is_same_v<T, NoStream>) {
                return "no stream";
            } else {
                return "exactly " + std::to_string(value.version.value());
            }
        },
        expected);
}

std::string describe(const AppendOutcome& outcome) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, AppendResult>) {
                return "appended versions " + std::to_string(value.first_version.value()) + ".." +
                       std::to_string(value.last_version.value()) + " at positions " +
                       std::to_string(value.first_position.value()) + ".." +
                       std::to_string(value.last_position.value());
            } else if constexpr (std::is_same_v<T, ConcurrencyConflict>) {
                return "concurrency conflict on stream '" + value.stream.value() + "': expected " +
                       to_string(value.expected) + ", actual version " +
                       std::to_string(value.actual.value());
            } else {
                return "invalid input: " + value.reason;
            }
        },
        outcome);
}

}  // namespace ordersource::eventstore

namespace ordersource::eventstore {

std::vector<AppendOutcome> EventStore::append_many(const std::vector<AppendRequest>& requests) {
    std::vector<AppendOutcome> outcomes;
    outcomes.reserve(requests.size());
    for (const auto& request : requests) {
        outcomes.push_back(append(request.stream, request.expected, request.events));
    }
    return outcomes;
}

std::vector<std::vector<RecordedEvent>> EventStore::read_streams(
    const std::vector<StreamId>& streams) const {
    return read_streams_from(streams, std::vector<StreamVersion>(streams.size(), StreamVersion{1}));
}

std::vector<std::vector<RecordedEvent>> EventStore::read_streams_from(
    const std::vector<StreamId>& streams, const std::vector<StreamVersion>& from) const {
    if (from.size() != streams.size()) {
        throw std::invalid_argument("read_streams_from: one from-version per stream");
    }
    std::vector<std::vector<RecordedEvent>> events;
    events.reserve(streams.size());
    for (std::size_t i = 0; i < streams.size(); ++i) {
        events.push_back(read_stream(streams[i], from[i]));
    }
    return events;
}

std::int64_t snapshot_offset(const StreamId& stream, std::int64_t every) {
    if (every <= 1) return 0;
    std::uint64_t hash = 14695981039346656037ULL;
    for (const char c : stream.value()) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    return static_cast<std::int64_t>(hash % static_cast<std::uint64_t>(every));
}

bool snapshot_due(const StreamId& stream,
                  StreamVersion before,
                  StreamVersion after,
                  std::int64_t every) {
    if (every <= 0) return false;
    const std::int64_t offset = snapshot_offset(stream, every);
    return (after.value() + offset) / every > (before.value() + offset) / every;
}

}  // namespace ordersource::eventstore
