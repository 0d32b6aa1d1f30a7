#pragma once
// The event store's vocabulary: strong types for ids, versions and positions, the events a
// caller appends and reads back, and the outcomes of an append as values
// (docs/adr/0003-errors.md): a concurrency conflict or invalid input is not an exception.

#include <chrono>
#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

namespace ordersource::eventstore {

// A value that only converts explicitly, so a version is never passed where a position is
// expected (STYLE.md, strong types).
template <typename Tag, typename T>
class StrongType {
  public:
    using ValueType = T;

    constexpr StrongType() = default;
    constexpr explicit StrongType(T value) : value_(std::move(value)) {}

    constexpr const T& value() const noexcept { return value_; }

    friend constexpr bool operator==(const StrongType&, const StrongType&) = default;
    friend constexpr auto operator<=>(const StrongType&, const StrongType&) = default;

    friend std::ostream& operator<<(std::ostream& out, const StrongType& strong) {
        return out << strong.value_;
    }

  private:
    T value_{};
};

// "order-<uuid>", "account-<customerId>": any non-empty text without control characters.
using StreamId = StrongType<struct StreamIdTag, std::string>;
// A UUID in canonical text form; the store keeps it lowercase.
using EventId = StrongType<struct EventIdTag, std::string>;
// Position of an event in its stream: 1 for the first event, gap-free. A stream without
// events is at version 0.
using StreamVersion = StrongType<struct StreamVersionTag, std::int64_t>;
// Position of an event in the whole store, in insertion order. Unique and increasing but
// NOT gap-free (rolled-back appends burn numbers) and NOT commit order: read_all orders by
// CommitPosition instead.
using GlobalPosition = StrongType<struct GlobalPositionTag, std::int64_t>;

// Where a commit-order reader stands: after the event with this (transaction, position).
// Transactions are ordered by id and only read once no older transaction can still commit,
// so a checkpoint never moves past an event that commits late
// (docs/adr/0006-commit-order-read-all.md).
struct CommitPosition {
    std::uint64_t transaction = 0;
    GlobalPosition position{0};

    friend constexpr bool operator==(const CommitPosition&, const CommitPosition&) = default;
    friend constexpr auto operator<=>(const CommitPosition&, const CommitPosition&) = default;
    friend std::ostream& operator<<(std::ostream& out, const CommitPosition& at) {
        return out << '(' << at.transaction << ", " << at.position << ')';
    }
};

// Before the first event of the store.
inline constexpr CommitPosition kStartOfAll{};

struct EventMetadata {
    std::string correlation_id;  // empty when unknown
    std::string causation_id;    // the event or request that caused this one; empty for none

    friend bool operator==(const EventMetadata&, const EventMetadata&) = default;
};

struct NewEvent {
    EventId event_id;
    std::string type;
    int schema_version = 1;
    std::string payload_json;  // a JSON object
    EventMetadata metadata{};
};

struct RecordedEvent {
    EventId event_id;
    std::string type;
    int schema_version = 1;
    // Semantically the appended payload; the PostgreSQL store returns it normalised by jsonb
    // (whitespace and key order may differ), so compare parsed documents, not text.
    std::string payload_json;
    EventMetadata metadata;
    StreamId stream_id;
    StreamVersion stream_version;
    GlobalPosition global_position;
    std::uint64_t transaction = 0;
    std::chrono::system_clock::time_point recorded_at;

    CommitPosition commit_position() const { return {transaction, global_position}; }
};

// Expected version of the stream before an append.
struct Any {  // no check
    friend bool operator==(const Any&, const Any&) = default;
};
struct NoStream {  // the stream has no events yet
    friend bool operator==(const NoStream&, const NoStream&) = default;
};
struct Exact {  // the stream's last version is `version` (Exact{0} is NoStream)
    StreamVersion version;
    friend bool operator==(const Exact&, const Exact&) = default;
};
using ExpectedVersion = std::variant<Any, NoStream, Exact>;

std::string to_string(const ExpectedVersion& expected);

struct AppendResult {
    StreamVersion first_version;
    StreamVersion last_version;
    GlobalPosition first_position;
    GlobalPosition last_position;

    friend bool operator==(const AppendResult&, const AppendResult&) = default;
};

// The stream is not at the expected version: re-read, re-decide, retry.
struct ConcurrencyConflict {
    StreamId stream;
    ExpectedVersion expected;
    StreamVersion actual;
};

// The batch cannot be stored as given; retrying the same batch fails the same way. Nothing
// of the batch was stored.
struct InvalidInput {
    std::string reason;
};

using AppendOutcome = std::variant<AppendResult, ConcurrencyConflict, InvalidInput>;

// One line for logs and test failures.
std::string describe(const AppendOutcome& outcome);

}  // namespace ordersource::eventstore
