#pragma once
// The port every service appends to and reads from; PostgresEventStore is the production
// adapter, MemoryEventStore the one for pure unit tests. Both pass the same conformance tests.

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "ordersource/eventstore/types.hpp"

namespace ordersource::eventstore {

// Infrastructure failure (connection lost, server error, bug): not an expected outcome, so
// an exception (docs/adr/0003-errors.md). No database library type escapes this library.
class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One append of a batch (EventStore::append_many).
struct AppendRequest {
    StreamId stream;
    ExpectedVersion expected;
    std::vector<NewEvent> events;
};

class EventStore {
  public:
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    virtual ~EventStore() = default;

    // Appends the batch atomically, with versions last+1.. in the given order. When every
    // event id of the batch is already stored, in this stream and in this order, nothing is
    // written and the original AppendResult comes back (redelivery is a no-op), whatever
    // `expected` says. Some but not all ids stored (or stored elsewhere) is InvalidInput.
    // Throws StoreError on infrastructure failure.
    virtual AppendOutcome append(const StreamId& stream,
                                 const ExpectedVersion& expected,
                                 const std::vector<NewEvent>& events) = 0;

    // Each request as append() would store it, in order, and independently: one request's
    // conflict or invalid input does not affect the others, and there is no atomicity across
    // requests. A store may share statements and commits between requests (the PostgreSQL
    // store stores a batch of small appends in one statement and one commit). A stream named
    // twice gets its second request after its first. One outcome per request, in order.
    // Throws StoreError on infrastructure failure; some requests may then be stored, which a
    // repeat of the call absorbs (re-appended ids return their original result).
    virtual std::vector<AppendOutcome> append_many(const std::vector<AppendRequest>& requests);

    // Events of one stream with version >= from, in version order.
    virtual std::vector<RecordedEvent> read_stream(const StreamId& stream,
                                                   StreamVersion from = StreamVersion{1},
                                                   std::size_t max_count = kUnlimited) const = 0;

    // Every event of each stream, in version order: one entry per requested stream (a stream
    // without events gives an empty entry). Stores read them in as few round trips as they can;
    // by default this is read_streams_from with every stream from version 1.
    virtual std::vector<std::vector<RecordedEvent>> read_streams(
        const std::vector<StreamId>& streams) const;

    // As read_streams, but each stream from its own version on: `from[i]` for `streams[i]`
    // (a stream loaded from a snapshot reads only what came after it).
    virtual std::vector<std::vector<RecordedEvent>> read_streams_from(
        const std::vector<StreamId>& streams, const std::vector<StreamVersion>& from) const;

    // Up to max_count events after `after` in commit order: every event is delivered once,
    // none of an uncommitted transaction, and none is skipped because its transaction
    // committed after one with higher global positions. Resume from the last event's
    // commit_position().
    virtual std::vector<RecordedEvent> read_all(CommitPosition after,
                                                std::size_t max_count) const = 0;

  protected:
    EventStore() = default;
    EventStore(const EventStore&) = default;
    EventStore& operator=(const EventStore&) = default;
};

template <typename State>
struct Loaded {
    State state;
    StreamVersion version;  // of the last event folded; 0 for a stream without events
};

// Reads the stream and folds `evolve(State, const RecordedEvent&) -> State` over it; the
// version is what to pass as Exact{} when appending the events the state decides.
template <typename State, typename Evolve>
Loaded<State> load(const EventStore& store, const StreamId& stream, State initial, Evolve evolve) {
    Loaded<State> loaded{std::move(initial), StreamVersion{0}};
    for (const RecordedEvent& event : store.read_stream(stream)) {
        loaded.state = evolve(std::move(loaded.state), event);
        loaded.version = event.stream_version;
    }
    return loaded;
}

}  // namespace ordersource::eventstore
