#include "ordersource/eventstore/postgres_event_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "pq.hpp"
#include "sql.hpp"
#include "validation.hpp"

namespace ordersource::eventstore {
namespace {

using detail::exec;
using detail::exec_script;
using detail::int64_at;
using detail::is_null_at;
using detail::PqError;
using detail::text_at;
using detail::uint64_at;

// An append with Any that loses a race for the next version just tries again; a caller that
// keeps losing this often has a hotter stream than Any is meant for.
constexpr int kAnyAttempts = 10;

struct Connection {
    std::unique_ptr<soci::session> session;
    PGconn* conn = nullptr;
    detail::PreparedStatements prepared;
};

void write_metadata(rapidjson::Writer<rapidjson::StringBuffer>& writer,
                    const EventMetadata& metadata) {
    writer.StartObject();
    writer.Key("correlationId");
    writer.String(metadata.correlation_id);
    writer.Key("causationId");
    writer.String(metadata.causation_id);
    writer.EndObject();
}

// The fields of one event as kAppend and kAppendGroup read them from a JSON row.
void write_event_fields(rapidjson::Writer<rapidjson::StringBuffer>& writer,
                        std::size_t n,
                        const NewEvent& event,
                        const std::string& id) {
    writer.Key("n");
    writer.Uint64(n);
    writer.Key("event_id");
    writer.String(id);
    writer.Key("event_type");
    writer.String(event.type);
    writer.Key("schema_version");
    writer.Int(event.schema_version);
    writer.Key("payload");
    // Validated as a JSON object before we got here.
    writer.RawValue(event.payload_json.c_str(), event.payload_json.size(), rapidjson::kObjectType);
    writer.Key("metadata");
    write_metadata(writer, event.metadata);
}

std::string batch_json(const std::vector<NewEvent>& events, const std::vector<std::string>& ids) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (std::size_t i = 0; i < events.size(); ++i) {
        writer.StartObject();
        write_event_fields(writer, i + 1, events[i], ids[i]);
        writer.EndObject();
    }
    writer.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::int64_t expected_number(const ExpectedVersion& expected) {
    if (std::holds_alternative<Any>(expected)) {
        return -1;
    }
    if (std::holds_alternative<NoStream>(expected)) {
        return 0;
    }
    return std::get<Exact>(expected).version.value();
}

// The events as COPY rows of kCopyEvents, versions after `head`.
std::string copy_rows(const StreamId& stream,
                      std::int64_t head,
                      const std::vector<NewEvent>& events,
                      const std::vector<std::string>& ids) {
    std::string rows;
    rows.reserve(events.size() * (256 + stream.value().size()));
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& event = events[i];
        detail::append_copy_field(rows, stream.value());
        rows += '\t';
        rows += std::to_string(head + static_cast<std::int64_t>(i) + 1);
        rows += '\t';
        rows += ids[i];
        rows += '\t';
        detail::append_copy_field(rows, event.type);
        rows += '\t';
        rows += std::to_string(event.schema_version);
        rows += '\t';
        detail::append_copy_field(rows, event.payload_json);
        rows += '\t';
        rapidjson::StringBuffer metadata;
        rapidjson::Writer<rapidjson::StringBuffer> writer(metadata);
        write_metadata(writer, event.metadata);
        detail::append_copy_field(rows, {metadata.GetString(), metadata.GetSize()});
        rows += '\n';
    }
    return rows;
}

// One validated append waiting to be stored, as the group commit sees it (ADR 13).
struct PendingAppend {
    PendingAppend(const StreamId& stream_,
                  const ExpectedVersion& expected_,
                  const std::vector<NewEvent>& events_,
                  const std::vector<std::string>& ids_)
        : stream(stream_), expected(expected_), events(events_), ids(ids_) {}

    const StreamId& stream;
    const ExpectedVersion& expected;
    const std::vector<NewEvent>& events;
    const std::vector<std::string>& ids;
    // Set by whoever stored it. Left empty by a group that did not store it (a stale
    // expectation, a repeat, or a failed group): the caller then appends alone, which
    // reports exactly what happened.
    std::optional<AppendOutcome> outcome;
    std::exception_ptr error;
    bool done = false;  // guarded by the group mutex
    // Wakes this caller alone (when its append is done, or when it may lead a group):
    // waking every waiter after each group cost more CPU than the grouping saved.
    std::condition_variable woken;
};

std::string group_json(const std::vector<PendingAppend*>& group) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (std::size_t r = 0; r < group.size(); ++r) {
        const PendingAppend& append = *group[r];
        for (std::size_t i = 0; i < append.events.size(); ++i) {
            writer.StartObject();
            writer.Key("r");
            writer.Uint64(r + 1);
            writer.Key("stream_id");
            writer.String(append.stream.value());
            writer.Key("expected");
            writer.Int64(expected_number(append.expected));
            write_event_fields(writer, i + 1, append.events[i], append.ids[i]);
            writer.EndObject();
        }
    }
    writer.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::vector<RecordedEvent> read_events(const PGresult* result) {
    std::vector<RecordedEvent> events;
    const int rows = PQntuples(result);
    events.reserve(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) {
        const std::chrono::microseconds since_epoch{int64_at(result, row, 10)};
        events.push_back(RecordedEvent{
            .event_id = EventId{text_at(result, row, 0)},
            .type = text_at(result, row, 1),
            .schema_version = static_cast<int>(int64_at(result, row, 2)),
            .payload_json = text_at(result, row, 3),
            .metadata = {.correlation_id = text_at(result, row, 4),
                         .causation_id = text_at(result, row, 5)},
            .stream_id = StreamId{text_at(result, row, 6)},
            .stream_version = StreamVersion{int64_at(result, row, 7)},
            .global_position = GlobalPosition{int64_at(result, row, 8)},
            .transaction = uint64_at(result, row, 9),
            .recorded_at = std::chrono::system_clock::time_point(
                std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)),
        });
    }
    return events;
}

std::string limit_parameter(std::size_t max_count) {
    constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return std::to_string(std::min(max_count, kMax));
}

// nullopt when none of the ids is stored; the original result when all are, in this stream
// and order; InvalidInput otherwise.
std::optional<AppendOutcome> find_repeat(PGconn* conn,
                                         const StreamId& stream,
                                         const std::vector<std::string>& ids) {
    std::string array = "{";
    for (const std::string& id : ids) {
        array += (array.size() > 1 ? "," : "") + id;  // validated UUIDs: nothing to escape
    }
    array += '}';
    const auto found = exec(conn, sql::kFindEvents, {array});
    const int rows = PQntuples(found.get());
    if (rows == 0) {
        return std::nullopt;
    }
    struct Stored {
        std::string stream;
        std::int64_t version;
        std::int64_t position;
    };
    std::unordered_map<std::string, Stored> stored;
    for (int row = 0; row < rows; ++row) {
        stored.emplace(text_at(found.get(), row, 0),
                       Stored{text_at(found.get(), row, 1), int64_at(found.get(), row, 2),
                              int64_at(found.get(), row, 3)});
    }
    const Stored* first = nullptr;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto at = stored.find(ids[i]);
        if (at == stored.end()) {
            const auto& [id, some] = *stored.begin();
            return detail::already_stored(id, "in stream '" + some.stream + "'");
        }
        if (first == nullptr) {
            first = &at->second;
        }
        if (at->second.stream != stream.value() ||
            at->second.version != first->version + static_cast<std::int64_t>(i)) {
            return detail::already_stored(ids[i], "in another stream or order");
        }
    }
    const Stored& last = stored.at(ids.back());
    return AppendResult{StreamVersion{first->version}, StreamVersion{last.version},
                        GlobalPosition{first->position}, GlobalPosition{last.position}};
}

}  // namespace

struct PostgresEventStore::Impl {
    pg::ConnectionSettings settings;
    std::string schema;
    PostgresStoreOptions options;

    std::mutex mutex;
    std::condition_variable available;
    std::vector<std::unique_ptr<Connection>> idle;
    std::size_t open = 0;

    // Group commit (ADR 13): appends queue here; a caller finding fewer than
    // max_concurrent_groups groups executing takes the queue (itself included, oldest
    // first, one append per stream and no stream of an executing group) and stores it as one
    // statement for everyone, then wakes them.
    std::mutex group_mutex;
    std::deque<PendingAppend*> waiting;
    std::unordered_set<std::string_view> streams_in_flight;
    std::size_t executing_groups = 0;

    std::atomic<std::uint64_t> groups_stored{0};
    std::atomic<std::uint64_t> grouped_appends{0};
    std::atomic<std::uint64_t> copied_appends{0};
    std::atomic<std::uint64_t> retried_alone{0};

    // A pooled connection for one call; a broken one (or one left inside a transaction by an
    // exception) is closed instead of going back to the pool.
    class Lease {
      public:
        Lease(Impl& pool, std::unique_ptr<Connection> connection)
            : pool_(pool), connection_(std::move(connection)) {}
        ~Lease() { pool_.release(std::move(connection_)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;

        PGconn* conn() const { return connection_->conn; }
        detail::PreparedStatements& prepared() const { return connection_->prepared; }

      private:
        Impl& pool_;
        std::unique_ptr<Connection> connection_;
    };

    std::unique_ptr<Connection> connect() const {
        auto connection = std::make_unique<Connection>();
        try {
            connection->session = pg::open_session(settings);
        } catch (const std::exception& error) {
            throw StoreError("cannot connect to PostgreSQL (" + settings.describe() +
                             "): " + error.what());
        }
        connection->conn = pg::libpq_connection(*connection->session);
        // Notices ("schema already exists, skipping") are noise on a service's stderr. Every
        // statement of the store is answered by an index; a statement prepared while the
        // table was nearly empty would otherwise keep a sequential-scan plan until the first
        // ANALYZE, minutes later, and scan the growing table on every call (ADR 19).
        exec_script(connection->conn, "SET search_path TO " +
                                          detail::quote_identifier(connection->conn, schema) +
                                          "; SET client_min_messages TO warning"
                                          "; SET enable_seqscan TO off");
        return connection;
    }

    Lease acquire() {
        std::unique_lock lock(mutex);
        available.wait(lock, [&] { return !idle.empty() || open < options.max_connections; });
        if (!idle.empty()) {
            auto connection = std::move(idle.back());
            idle.pop_back();
            return Lease(*this, std::move(connection));
        }
        ++open;
        lock.unlock();
        try {
            return Lease(*this, connect());
        } catch (...) {
            release(nullptr);
            throw;
        }
    }

    void release(std::unique_ptr<Connection> connection) {
        const bool healthy = connection && PQstatus(connection->conn) == CONNECTION_OK &&
                             PQtransactionStatus(connection->conn) == PQTRANS_IDLE;
        {
            const std::lock_guard lock(mutex);
            if (healthy) {
                idle.push_back(std::move(connection));
            } else {
                --open;
            }
        }
        available.notify_one();
    }

    // Appends too large for a group, stored on their own (by COPY from copy_min_events
    // events); nullopt for an append small enough to share a group.
    std::optional<AppendOutcome> append_large(const StreamId& stream,
                                              const ExpectedVersion& expected,
                                              const std::vector<NewEvent>& events,
                                              const std::vector<std::string>& ids) {
        if (events.size() >= options.copy_min_events) {
            if (!std::holds_alternative<Any>(expected)) {
                PendingAppend pending(stream, expected, events, ids);
                if (copy_known_versions({&pending})) return std::move(*pending.outcome);
            } else if (auto copied = append_by_copy(stream, expected, events, ids)) {
                ++copied_appends;
                return copied;
            }
            ++retried_alone;
            return append_alone(stream, expected, ids, batch_json(events, ids));
        }
        if (events.size() > options.max_group_events / 2) {
            // Large batches already amortise their commit; they would only crowd a group.
            return append_alone(stream, expected, ids, batch_json(events, ids));
        }
        return std::nullopt;
    }

    // Stores a chunk of append_many (each stream once): the appends with a known expected
    // version by one COPY when they hold copy_min_events events or more, the rest (and all
    // of them if the COPY stored nothing) by group statements of up to max_group_events.
    // Members the statements did not store are left without an outcome for finish().
    void store_chunk(std::deque<PendingAppend>& chunk) {
        std::vector<PendingAppend*> known;
        std::size_t known_events = 0;
        for (auto& pending : chunk) {
            if (!std::holds_alternative<Any>(pending.expected)) {
                known.push_back(&pending);
                known_events += pending.events.size();
            }
        }
        const bool copied = known_events >= options.copy_min_events && copy_known_versions(known);
        std::vector<PendingAppend*> group;
        std::size_t group_events = 0;
        for (auto& pending : chunk) {
            if (copied && !std::holds_alternative<Any>(pending.expected)) continue;
            if (!group.empty() && group_events + pending.events.size() > options.max_group_events) {
                store_group(group);
                group.clear();
                group_events = 0;
            }
            group.push_back(&pending);
            group_events += pending.events.size();
        }
        if (!group.empty()) store_group(group);
    }

    // The answer for an append a group was given: its outcome, its error, or (when the group
    // did not store it) the answer of appending it alone.
    AppendOutcome finish(PendingAppend& pending) {
        if (pending.error) {
            std::rethrow_exception(pending.error);
        }
        if (pending.outcome) {
            return std::move(*pending.outcome);
        }
        ++retried_alone;
        return append_alone(pending.stream, pending.expected, pending.ids,
                            batch_json(pending.events, pending.ids));
    }

    // Stores `pending` - alone or in a group with concurrent appends - and returns when it
    // is done. Never throws; the outcome or error is in `pending`.
    void append_in_group(PendingAppend& pending) {
        std::unique_lock lock(group_mutex);
        waiting.push_back(&pending);
        while (!pending.done) {
            if (executing_groups < options.max_concurrent_groups) {
                std::vector<PendingAppend*> group = take_group();
                if (!group.empty()) {
                    ++executing_groups;
                    lock.unlock();
                    store_group(group);
                    lock.lock();
                    --executing_groups;
                    for (PendingAppend* member : group) {
                        streams_in_flight.erase(member->stream.value());
                        member->done = true;
                        member->woken.notify_one();
                    }
                    if (!waiting.empty() && waiting.front() != &pending) {
                        waiting.front()->woken.notify_one();  // the oldest leads the next group
                    }
                    continue;
                }
            }
            pending.woken.wait(lock);
        }
    }

    // Called with group_mutex held.
    std::vector<PendingAppend*> take_group() {
        std::vector<PendingAppend*> group;
        std::size_t events = 0;
        for (auto it = waiting.begin(); it != waiting.end();) {
            PendingAppend* candidate = *it;
            const std::string& stream = candidate->stream.value();
            if (!group.empty() && events + candidate->events.size() > options.max_group_events) {
                break;
            }
            if (streams_in_flight.contains(stream)) {
                ++it;
                continue;
            }
            streams_in_flight.insert(stream);
            events += candidate->events.size();
            group.push_back(candidate);
            it = waiting.erase(it);
        }
        return group;
    }

    void store_group(const std::vector<PendingAppend*>& group) {
        if (group.size() == 1) {
            PendingAppend& only = *group.front();
            try {
                only.outcome = append_alone(only.stream, only.expected, only.ids,
                                            batch_json(only.events, only.ids));
            } catch (...) {
                only.error = std::current_exception();
            }
            return;
        }
        try {
            const Lease lease = acquire();
            const auto result =
                exec(lease.conn(), lease.prepared(), sql::kAppendGroup, {group_json(group)});
            const PGresult* rows = result.get();
            std::uint64_t stored = 0;
            for (int row = 0; row < PQntuples(rows);) {
                const auto r = static_cast<std::size_t>(int64_at(rows, row, 0));
                int last = row;
                while (last + 1 < PQntuples(rows) &&
                       int64_at(rows, last + 1, 0) == int64_at(rows, row, 0)) {
                    ++last;
                }
                if (!is_null_at(rows, row, 2) && r >= 1 && r <= group.size()) {
                    group[r - 1]->outcome = AppendResult{StreamVersion{int64_at(rows, row, 2)},
                                                         StreamVersion{int64_at(rows, last, 2)},
                                                         GlobalPosition{int64_at(rows, row, 3)},
                                                         GlobalPosition{int64_at(rows, last, 3)}};
                    ++stored;
                }
                row = last + 1;
            }
            ++groups_stored;
            grouped_appends += stored;
        } catch (const StoreError&) {
            // Nothing of the group is stored (one statement): a race on a version or an
            // event id, a value the server refused, or a lost connection. Each member
            // appends alone and gets its own, precise answer.
        }
    }

    // Appends whose expected version is known (Exact, NoStream) by one COPY in one
    // transaction and two round trips (ADR 18): versions expected+1.. are copied without
    // reading any head, then events_appended() fails the transaction for a stream not at its
    // expected version (one past it already failed the COPY on its unique key) and returns
    // the positions. Sets every member's outcome and returns true, or stores nothing and
    // returns false (a race, a repeat, a refused value, a lost connection): the caller then
    // answers each member by a path that tells those cases apart.
    bool copy_known_versions(const std::vector<PendingAppend*>& appends) {
        std::string rows;
        detail::ArrayLiteral streams;
        detail::ArrayLiteral expected;
        detail::ArrayLiteral counts;
        for (const PendingAppend* append : appends) {
            const std::int64_t head = expected_number(append->expected);
            rows += copy_rows(append->stream, head, append->events, append->ids);
            streams.add_text(append->stream.value());
            expected.add_integer(head);
            counts.add_integer(static_cast<std::int64_t>(append->events.size()));
        }
        const Lease lease = acquire();
        PGconn* conn = lease.conn();
        try {
            detail::ensure_prepared(conn, lease.prepared(), sql::kEventsAppended);
            const auto positions = detail::copy_script(
                conn,
                std::string("BEGIN; ") + sql::kCopyEvents + "; EXECUTE " +
                    sql::kEventsAppended.name + "(" + detail::quote_literal(conn, streams.str()) +
                    ", '" + expected.str() + "', '" + counts.str() + "'); COMMIT",
                rows);
            if (PQntuples(positions.get()) != static_cast<int>(appends.size())) {
                throw StoreError("PostgreSQL: events_appended returned " +
                                 std::to_string(PQntuples(positions.get())) + " rows for " +
                                 std::to_string(appends.size()) + " appends");
            }
            for (int row = 0; row < PQntuples(positions.get()); ++row) {
                PendingAppend& append =
                    *appends[static_cast<std::size_t>(int64_at(positions.get(), row, 0) - 1)];
                const std::int64_t head = expected_number(append.expected);
                const auto count = static_cast<std::int64_t>(append.events.size());
                append.outcome = AppendResult{StreamVersion{head + 1}, StreamVersion{head + count},
                                              GlobalPosition{int64_at(positions.get(), row, 1)},
                                              GlobalPosition{int64_at(positions.get(), row, 2)}};
            }
            copied_appends += appends.size();
            return true;
        } catch (const StoreError&) {
            if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
                detail::Result rollback(PQexec(conn, "ROLLBACK"));
            }
            for (PendingAppend* append : appends) append->outcome.reset();
            return false;
        }
    }

    // A large batch with any expected version through COPY (ADR 13): read the head and COPY
    // the rows in one transaction. nullopt when the stream is not at the expected version or COPY
    // failed (a race, a repeat, a refused value, a lost connection): nothing of it is stored and
    // append_alone then answers precisely.
    std::optional<AppendOutcome> append_by_copy(const StreamId& stream,
                                                const ExpectedVersion& expected,
                                                const std::vector<NewEvent>& events,
                                                const std::vector<std::string>& ids) {
        const Lease lease = acquire();
        PGconn* conn = lease.conn();
        try {
            const std::string stream_literal = detail::quote_literal(conn, stream.value());
            const auto head_row = exec_script(
                conn,
                "BEGIN; SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = " +
                    stream_literal);
            const std::int64_t head = int64_at(head_row.get(), 0, 0);
            const std::int64_t wanted = expected_number(expected);
            if (wanted >= 0 && head != wanted) {
                exec_script(conn, "ROLLBACK");
                return std::nullopt;
            }
            detail::copy_in(conn, sql::kCopyEvents, copy_rows(stream, head, events, ids));
            const auto count = static_cast<std::int64_t>(events.size());
            // By the (stream_id, stream_version) key: min()/max() of global_position would
            // walk the primary key instead, slower with every event stored.
            const auto positions = detail::exec_script_rows(
                conn, "SELECT global_position FROM events WHERE stream_id = " + stream_literal +
                          " AND stream_version IN (" + std::to_string(head + 1) + ", " +
                          std::to_string(head + count) + ") ORDER BY stream_version; COMMIT");
            const int last = PQntuples(positions.get()) - 1;
            return AppendResult{StreamVersion{head + 1}, StreamVersion{head + count},
                                GlobalPosition{int64_at(positions.get(), 0, 0)},
                                GlobalPosition{int64_at(positions.get(), last, 0)}};
        } catch (const StoreError&) {
            if (PQstatus(conn) == CONNECTION_OK) {
                detail::Result rollback(PQexec(conn, "ROLLBACK"));
            }
            return std::nullopt;
        }
    }

    // One append as one statement; the conflict and repeat checks after it when it inserted
    // nothing or lost a race.
    AppendOutcome append_alone(const StreamId& stream,
                               const ExpectedVersion& expected,
                               const std::vector<std::string>& ids,
                               const std::string& batch) {
        const std::string expected_version = std::to_string(expected_number(expected));
        const Lease lease = acquire();
        PGconn* conn = lease.conn();
        for (int attempt = 1;; ++attempt) {
            try {
                const auto result = exec(conn, lease.prepared(), sql::kAppend,
                                         {stream.value(), batch, expected_version});
                const PGresult* rows = result.get();
                if (!is_null_at(rows, 0, 1)) {
                    const int last = PQntuples(rows) - 1;
                    return AppendResult{StreamVersion{int64_at(rows, 0, 1)},
                                        StreamVersion{int64_at(rows, last, 1)},
                                        GlobalPosition{int64_at(rows, 0, 2)},
                                        GlobalPosition{int64_at(rows, last, 2)}};
                }
                // Not at the expected version - unless this batch is what moved it there.
                if (auto repeat = find_repeat(conn, stream, ids)) {
                    return std::move(*repeat);
                }
                return ConcurrencyConflict{stream, expected, StreamVersion{int64_at(rows, 0, 0)}};
            } catch (const PqError& error) {
                if (error.sqlstate() != detail::kUniqueViolation) {
                    throw;
                }
                // Another transaction committed this version or these ids while we were
                // inserting: a redelivery racing itself, or a lost race for the version.
                if (auto repeat = find_repeat(conn, stream, ids)) {
                    return std::move(*repeat);
                }
                if (std::holds_alternative<Any>(expected) && attempt < kAnyAttempts) {
                    continue;
                }
                const auto current = exec(conn, sql::kStreamVersion, {stream.value()});
                return ConcurrencyConflict{stream, expected,
                                           StreamVersion{int64_at(current.get(), 0, 0)}};
            }
        }
    }

    void migrate() {
        const Lease lease = acquire();
        PGconn* conn = lease.conn();
        const std::string quoted = detail::quote_identifier(conn, schema);
        exec_script(conn, "BEGIN");
        try {
            exec(conn, sql::kMigrationLock, {schema});
            exec_script(conn,
                        "CREATE SCHEMA IF NOT EXISTS " + quoted + "; SET search_path TO " + quoted);
            exec_script(conn, sql::kCreateMigrationsTable);
            const auto applied = int64_at(exec(conn, sql::kAppliedVersion).get(), 0, 0);
            for (const sql::Migration& migration : sql::kMigrations) {
                if (migration.version > applied) {
                    exec_script(conn, migration.script);
                    exec(conn, sql::kRecordMigration,
                         {std::to_string(migration.version), migration.name});
                }
            }
            exec_script(conn, "COMMIT");
        } catch (const StoreError& error) {
            // The lease closes the connection if this fails too.
            detail::Result rollback(PQexec(conn, "ROLLBACK"));
            throw StoreError("event store migration of schema '" + schema +
                             "' failed: " + error.what());
        }
    }
};

PostgresEventStore::PostgresEventStore(pg::ConnectionSettings settings,
                                       std::string schema,
                                       PostgresStoreOptions options)
    : impl_(std::make_unique<Impl>()) {
    if (schema.empty()) {
        throw StoreError("event store schema name is empty");
    }
    options.max_connections = std::max<std::size_t>(options.max_connections, 1);
    options.max_concurrent_groups = std::max<std::size_t>(options.max_concurrent_groups, 1);
    impl_->settings = std::move(settings);
    impl_->schema = std::move(schema);
    impl_->options = options;
    impl_->migrate();
}

PostgresEventStore::~PostgresEventStore() = default;

AppendOutcome PostgresEventStore::append(const StreamId& stream,
                                         const ExpectedVersion& expected,
                                         const std::vector<NewEvent>& events) {
    auto checked = detail::validate_batch(stream, events);
    if (auto* invalid = std::get_if<InvalidInput>(&checked)) {
        return std::move(*invalid);
    }
    const auto& ids = std::get<std::vector<std::string>>(checked);
    if (const auto lone = impl_->append_large(stream, expected, events, ids)) {
        return std::move(*lone);
    }
    PendingAppend pending(stream, expected, events, ids);
    impl_->append_in_group(pending);
    return impl_->finish(pending);
}

std::vector<AppendOutcome> PostgresEventStore::append_many(
    const std::vector<AppendRequest>& requests) {
    std::vector<std::optional<AppendOutcome>> outcomes(requests.size());
    std::vector<std::vector<std::string>> ids(requests.size());
    // A chunk holds each stream once (its head is read or checked once per statement) and no
    // more than max_copy_events events; a stream's later request waits for the next chunk.
    std::deque<PendingAppend> chunk;  // a deque: PendingAppend cannot move
    std::vector<std::size_t> members;
    std::unordered_set<std::string_view> streams;
    std::size_t chunk_events = 0;
    const auto store = [&] {
        if (chunk.empty()) return;
        impl_->store_chunk(chunk);
        for (std::size_t m = 0; m < chunk.size(); ++m) {
            outcomes[members[m]] = impl_->finish(chunk[m]);
        }
        chunk.clear();
        members.clear();
        streams.clear();
        chunk_events = 0;
    };
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& request = requests[i];
        auto checked = detail::validate_batch(request.stream, request.events);
        if (auto* invalid = std::get_if<InvalidInput>(&checked)) {
            outcomes[i] = std::move(*invalid);
            continue;
        }
        ids[i] = std::move(std::get<std::vector<std::string>>(checked));
        if (streams.contains(request.stream.value()) ||
            chunk_events + request.events.size() > impl_->options.max_copy_events) {
            store();
        }
        if (std::holds_alternative<Any>(request.expected)) {
            // Any needs the head read first: too large for a group, it goes alone.
            if (auto lone =
                    impl_->append_large(request.stream, request.expected, request.events, ids[i])) {
                outcomes[i] = std::move(*lone);
                continue;
            }
        }
        chunk.emplace_back(request.stream, request.expected, request.events, ids[i]);
        members.push_back(i);
        streams.insert(request.stream.value());
        chunk_events += request.events.size();
    }
    store();
    std::vector<AppendOutcome> answers;
    answers.reserve(outcomes.size());
    for (auto& outcome : outcomes) answers.push_back(std::move(*outcome));
    return answers;
}

std::vector<RecordedEvent> PostgresEventStore::read_stream(const StreamId& stream,
                                                           StreamVersion from,
                                                           std::size_t max_count) const {
    if (max_count == 0) {
        return {};
    }
    const Impl::Lease lease = impl_->acquire();
    const auto result =
        exec(lease.conn(), lease.prepared(), sql::kReadStream,
             {stream.value(), std::to_string(from.value()), limit_parameter(max_count)});
    return read_events(result.get());
}

std::vector<std::vector<RecordedEvent>> PostgresEventStore::read_streams_from(
    const std::vector<StreamId>& streams, const std::vector<StreamVersion>& from) const {
    if (from.size() != streams.size()) {
        throw std::invalid_argument("read_streams_from: one from-version per stream");
    }
    std::vector<std::vector<RecordedEvent>> events(streams.size());
    if (streams.empty()) {
        return events;
    }
    // A stream named twice is read once, from the lower version, and each entry keeps its own.
    std::unordered_map<std::string_view, std::vector<std::size_t>> wanted;
    std::unordered_map<std::string_view, std::int64_t> lowest;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        wanted[streams[i].value()].push_back(i);
        const auto [at, added] = lowest.try_emplace(streams[i].value(), from[i].value());
        if (!added) at->second = std::min(at->second, from[i].value());
    }
    detail::ArrayLiteral stream_array;
    detail::ArrayLiteral from_array;
    for (const auto& [stream, first] : lowest) {
        stream_array.add_text(stream);
        from_array.add_integer(first);
    }
    const Impl::Lease lease = impl_->acquire();
    const auto result = exec(lease.conn(), lease.prepared(), sql::kReadStreamsFrom,
                             {stream_array.str(), from_array.str()});
    for (auto& event : read_events(result.get())) {
        // Copied to every entry that wants it but the last, which takes it.
        std::optional<std::size_t> taker;
        for (const std::size_t i : wanted.at(event.stream_id.value())) {
            if (event.stream_version < from[i]) continue;
            if (taker) events[*taker].push_back(event);
            taker = i;
        }
        if (taker) events[*taker].push_back(std::move(event));
    }
    return events;
}

std::vector<RecordedEvent> PostgresEventStore::read_all(CommitPosition after,
                                                        std::size_t max_count) const {
    if (max_count == 0) {
        return {};
    }
    const Impl::Lease lease = impl_->acquire();
    const auto result = exec(lease.conn(), lease.prepared(), sql::kReadAll,
                             {std::to_string(after.transaction),
                              std::to_string(after.position.value()), limit_parameter(max_count)});
    return read_events(result.get());
}

std::int64_t PostgresEventStore::count_after(CommitPosition after) const {
    const Impl::Lease lease = impl_->acquire();
    const auto result =
        exec(lease.conn(), sql::kCountAfter,
             {std::to_string(after.transaction), std::to_string(after.position.value())});
    return int64_at(result.get(), 0, 0);
}

std::optional<CommitPosition> PostgresEventStore::load_checkpoint(const std::string& name) const {
    const Impl::Lease lease = impl_->acquire();
    const auto result = exec(lease.conn(), lease.prepared(), sql::kLoadCheckpoint, {name});
    if (PQntuples(result.get()) == 0) {
        return std::nullopt;
    }
    return CommitPosition{uint64_at(result.get(), 0, 0),
                          GlobalPosition{int64_at(result.get(), 0, 1)}};
}

void PostgresEventStore::save_checkpoint(const std::string& name, CommitPosition position) {
    const Impl::Lease lease = impl_->acquire();
    exec(lease.conn(), lease.prepared(), sql::kSaveCheckpoint,
         {name, std::to_string(position.transaction), std::to_string(position.position.value())});
}

std::optional<Snapshot> PostgresEventStore::load_snapshot(const std::string& name) const {
    const Impl::Lease lease = impl_->acquire();
    const auto result = exec(lease.conn(), lease.prepared(), sql::kLoadSnapshot, {name});
    if (PQntuples(result.get()) == 0) {
        return std::nullopt;
    }
    return Snapshot{
        .position = {uint64_at(result.get(), 0, 0), GlobalPosition{int64_at(result.get(), 0, 1)}},
        .format = static_cast<int>(int64_at(result.get(), 0, 2)),
        .state = text_at(result.get(), 0, 3)};
}

void PostgresEventStore::save_snapshot(const std::string& name, const Snapshot& snapshot) {
    const Impl::Lease lease = impl_->acquire();
    exec(lease.conn(), lease.prepared(), sql::kSaveSnapshot,
         {name, std::to_string(snapshot.position.transaction),
          std::to_string(snapshot.position.position.value()), std::to_string(snapshot.format),
          snapshot.state});
}

std::vector<std::optional<StreamSnapshot>> PostgresEventStore::load_stream_snapshots(
    const std::vector<StreamId>& streams) const {
    std::vector<std::optional<StreamSnapshot>> found(streams.size());
    if (streams.empty()) {
        return found;
    }
    detail::ArrayLiteral array;
    for (const auto& stream : streams) array.add_text(stream.value());
    const Impl::Lease lease = impl_->acquire();
    const auto result =
        exec(lease.conn(), lease.prepared(), sql::kLoadStreamSnapshots, {array.str()});
    std::unordered_map<std::string, StreamSnapshot> by_stream;
    for (int row = 0; row < PQntuples(result.get()); ++row) {
        by_stream.emplace(text_at(result.get(), row, 0),
                          StreamSnapshot{.version = StreamVersion{int64_at(result.get(), row, 1)},
                                         .format = static_cast<int>(int64_at(result.get(), row, 2)),
                                         .state = text_at(result.get(), row, 3)});
    }
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (const auto at = by_stream.find(streams[i].value()); at != by_stream.end()) {
            found[i] = at->second;
        }
    }
    return found;
}

void PostgresEventStore::save_stream_snapshots(
    const std::vector<std::pair<StreamId, StreamSnapshot>>& snapshots) {
    if (snapshots.empty()) {
        return;
    }
    detail::ArrayLiteral streams;
    detail::ArrayLiteral versions;
    detail::ArrayLiteral formats;
    detail::ArrayLiteral states;
    for (const auto& [stream, snapshot] : snapshots) {
        streams.add_text(stream.value());
        versions.add_integer(snapshot.version.value());
        formats.add_integer(snapshot.format);
        states.add_text(snapshot.state);
    }
    const Impl::Lease lease = impl_->acquire();
    exec(lease.conn(), lease.prepared(), sql::kSaveStreamSnapshots,
         {streams.str(), versions.str(), formats.str(), states.str()});
}

WritePathCounts PostgresEventStore::write_path_counts() const {
    return WritePathCounts{.groups = impl_->groups_stored.load(),
                           .grouped_appends = impl_->grouped_appends.load(),
                           .copied_appends = impl_->copied_appends.load(),
                           .retried_alone = impl_->retried_alone.load()};
}

const std::string& PostgresEventStore::schema() const {
    return impl_->schema;
}

int PostgresEventStore::schema_version() {
    return sql::kMigrations.back().version;
}

}  // namespace ordersource::eventstore
