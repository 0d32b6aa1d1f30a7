#pragma once
// The event store in PostgreSQL: one schema per store (a service's own, or a test's unique
// one), migrated at construction, append-only enforced by triggers, one round trip per
// append, commit-order reads for relays and projections. Thread-safe: calls run on a small
// pool of connections; concurrent appends to different streams share one statement and one
// commit (group commit, docs/adr/0013-group-commit-of-concurrent-appends.md).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ordersource/eventstore/checkpoint_store.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"
#include "ordersource/pg/connection.hpp"

namespace ordersource::eventstore {

struct PostgresStoreOptions {
    // Connections opened on demand and kept; a call waits when all are busy.
    std::size_t max_connections = 8;
    // Group commit (ADR 13): concurrent appends of up to max_group_events / 2 events each
    // are stored together, one statement and one commit per group, by at most
    // max_concurrent_groups groups at a time. 1 group at a time serialises every append.
    std::size_t max_concurrent_groups = 2;
    std::size_t max_group_events = 256;
    // Appends of at least this many events, and append_many batches whose appends with a
    // known expected version hold that many, are written with COPY instead of INSERT.
    std::size_t copy_min_events = 32;
    // append_many copies at most this many events per transaction.
    std::size_t max_copy_events = 4096;
};

// How appends were written since construction (for tests, benchmarks and metrics).
struct WritePathCounts {
    std::uint64_t groups = 0;           // group statements that stored 2 or more appends
    std::uint64_t grouped_appends = 0;  // appends those groups stored
    std::uint64_t copied_appends = 0;   // appends stored by COPY
    std::uint64_t retried_alone = 0;    // appends a group or COPY left to a statement of their own
};

class PostgresEventStore final : public EventStore,
                                 public CheckpointStore,
                                 public SnapshotStore,
                                 public StreamSnapshotStore {
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
    // The appends of the batch share transactions: those with a known expected version one
    // COPY per max_copy_events events (ADR 18), the others group statements of up to
    // max_group_events events (ADR 13).
    std::vector<AppendOutcome> append_many(const std::vector<AppendRequest>& requests) override;
    std::vector<RecordedEvent> read_stream(const StreamId& stream,
                                           StreamVersion from = StreamVersion{1},
                                           std::size_t max_count = kUnlimited) const override;
    // One statement for all the streams (read_streams too: from their first versions).
    std::vector<std::vector<RecordedEvent>> read_streams_from(
        const std::vector<StreamId>& streams,
        const std::vector<StreamVersion>& from) const override;
    std::vector<RecordedEvent> read_all(CommitPosition after, std::size_t max_count) const override;

    // How many committed events lie after `after` (a relay's or projection's lag, for metrics).
    std::int64_t count_after(CommitPosition after) const;

    // A relay's progress, in the same database as the events it relays.
    std::optional<CommitPosition> load_checkpoint(const std::string& name) const override;
    void save_checkpoint(const std::string& name, CommitPosition position) override;
    // A reader's folded state (the order-service's deadline index), beside its events.
    std::optional<Snapshot> load_snapshot(const std::string& name) const override;
    void save_snapshot(const std::string& name, const Snapshot& snapshot) override;
    // Table stream_snapshots (migration 5), in one statement each way.
    std::vector<std::optional<StreamSnapshot>> load_stream_snapshots(
        const std::vector<StreamId>& streams) const override;
    void save_stream_snapshots(
        const std::vector<std::pair<StreamId, StreamSnapshot>>& snapshots) override;

    WritePathCounts write_path_counts() const;

    const std::string& schema() const;
    // The newest migration this build knows (and has applied).
    static int schema_version();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::eventstore
