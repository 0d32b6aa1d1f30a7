#include "ordersource/eventstore/postgres_event_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <algorithm>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>

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
};

std::string batch_json(const std::vector<NewEvent>& events, const std::vector<std::string>& ids) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& event = events[i];
        writer.StartObject();
        writer.Key("n");
        writer.Uint64(i + 1);
        writer.Key("event_id");
        writer.String(ids[i]);
        writer.Key("event_type");
        writer.String(event.type);
        writer.Key("schema_version");
        writer.Int(event.schema_version);
        writer.Key("payload");
        // Validated as a JSON object before we got here.
        writer.RawValue(event.payload_json.c_str(), event.payload_json.size(),
                        rapidjson::kObjectType);
        writer.Key("metadata");
        writer.StartObject();
        writer.Key("correlationId");
        writer.String(event.metadata.correlation_id);
        writer.Key("causationId");
        writer.String(event.metadata.causation_id);
        writer.EndObject();
        writer.EndObject();
    }
    writer.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string expected_parameter(const ExpectedVersion& expected) {
    if (std::holds_alternative<Any>(expected)) {
        return "-1";
    }
    if (std::holds_alternative<NoStream>(expected)) {
        return "0";
    }
    return std::to_string(std::get<Exact>(expected).version.value());
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
        connection->conn =
            static_cast<soci::postgresql_session_backend*>(connection->session->get_backend())
                ->conn_;
        // Notices ("schema already exists, skipping") are noise on a service's stderr.
        exec_script(connection->conn, "SET search_path TO " +
                                          detail::quote_identifier(connection->conn, schema) +
                                          "; SET client_min_messages TO warning");
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
    if (options.max_connections == 0) {
        options.max_connections = 1;
    }
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
    const std::string batch = batch_json(events, ids);
    const std::string expected_version = expected_parameter(expected);

    const Impl::Lease lease = impl_->acquire();
    PGconn* conn = lease.conn();
    for (int attempt = 1;; ++attempt) {
        try {
            const auto result = exec(conn, sql::kAppend, {stream.value(), batch, expected_version});
            const PGresult* rows = result.get();
            if (!is_null_at(rows, 0, 1)) {
                const int last = PQntuples(rows) - 1;
                return AppendResult{
                    StreamVersion{int64_at(rows, 0, 1)}, StreamVersion{int64_at(rows, last, 1)},
                    GlobalPosition{int64_at(rows, 0, 2)}, GlobalPosition{int64_at(rows, last, 2)}};
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

std::vector<RecordedEvent> PostgresEventStore::read_stream(const StreamId& stream,
                                                           StreamVersion from,
                                                           std::size_t max_count) const {
    if (max_count == 0) {
        return {};
    }
    const Impl::Lease lease = impl_->acquire();
    const auto result =
        exec(lease.conn(), sql::kReadStream,
             {stream.value(), std::to_string(from.value()), limit_parameter(max_count)});
    return read_events(result.get());
}

std::vector<RecordedEvent> PostgresEventStore::read_all(CommitPosition after,
                                                        std::size_t max_count) const {
    if (max_count == 0) {
        return {};
    }
    const Impl::Lease lease = impl_->acquire();
    const auto result = exec(lease.conn(), sql::kReadAll,
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
    const auto result = exec(lease.conn(), sql::kLoadCheckpoint, {name});
    if (PQntuples(result.get()) == 0) {
        return std::nullopt;
    }
    return CommitPosition{uint64_at(result.get(), 0, 0),
                          GlobalPosition{int64_at(result.get(), 0, 1)}};
}

void PostgresEventStore::save_checkpoint(const std::string& name, CommitPosition position) {
    const Impl::Lease lease = impl_->acquire();
    exec(lease.conn(), sql::kSaveCheckpoint,
         {name, std::to_string(position.transaction), std::to_string(position.position.value())});
}

const std::string& PostgresEventStore::schema() const {
    return impl_->schema;
}

int PostgresEventStore::schema_version() {
    return sql::kMigrations.back().version;
}

}  // namespace ordersource::eventstore
