#pragma once
// The event store in PostgreSQL: one schema per store (a service's own, or a test's unique
// one), migrated at construction, append-only enforced by triggers, one round trip per
// append, commit-order reads for relays and projections. Thread-safe: calls run on a small
// pool of connections, so concurrent appenders really race in the database.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ordersource/eventstore/checkpoint_store.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/pg/connection.hpp"

namespace ordersource::eventstore {

struct PostgresStoreOptions {
    // Connections opened on demand and kept; a call waits when all are busy.
    std::size_t max_connections = 8;
};

class PostgresEventStore final : public EventStore, public CheckpointStore {
  public:
    // Connects, creates `schema` if it is missing and applies pending migrations under an
    // advisory lock (safe when several instances start at once). Throws StoreError when the
    // database is unreachable or a migration fails.
    PostgresEventStore(pg::ConnectionSettings settings,
                       std::string schema,
                       PostgresStoreOptions options = {});
    ~PostgresEventStore() override;

    PostgresEventStore(const PostgresEventStore&) = delete;
    PostgresEventStore& operator=(const PostgresEventStore&) = delete;

    AppendOutcome append(const StreamId& stream,
                         const ExpectedVersion& expected,
                         const std::vector<NewEvent>& events) override;
    std::vector<RecordedEvent> read_stream(const StreamId& stream,
                                           StreamVersion from = StreamVersion{1},
                                           std::size_t max_count = kUnlimited) const override;
    std::vector<RecordedEvent> read_all(CommitPosition after, std::size_t max_count) const override;

    // How many committed events lie after `after` (a relay's or projection's lag, for metrics).
    std::int64_t count_after(CommitPosition after) const;

    // A relay's progress, in the same database as the events it relays.
    std::optional<CommitPosition> load_checkpoint(const std::string& name) const override;
    void save_checkpoint(const std::string& name, CommitPosition position) override;

    const std::string& schema() const;
    // The newest migration this build knows (and has applied).
    static int schema_version();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::eventstore
