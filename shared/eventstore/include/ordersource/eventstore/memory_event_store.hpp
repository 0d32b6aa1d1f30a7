#pragma once
// The event store in process memory, for unit tests of application services: same contract
// as PostgresEventStore (the conformance tests run against both), thread-safe, nothing
// survives the object.

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ordersource/eventstore/checkpoint_store.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"

namespace ordersource::eventstore {

class MemoryEventStore final : public EventStore,
                               public CheckpointStore,
                               public SnapshotStore,
                               public StreamSnapshotStore {
  public:
    MemoryEventStore() = default;

    AppendOutcome append(const StreamId& stream,
                         const ExpectedVersion& expected,
                         const std::vector<NewEvent>& events) override;
    std::vector<RecordedEvent> read_stream(const StreamId& stream,
                                           StreamVersion from = StreamVersion{1},
                                           std::size_t max_count = kUnlimited) const override;
    std::vector<RecordedEvent> read_all(CommitPosition after, std::size_t max_count) const override;

    std::optional<CommitPosition> load_checkpoint(const std::string& name) const override;
    void save_checkpoint(const std::string& name, CommitPosition position) override;
    std::optional<Snapshot> load_snapshot(const std::string& name) const override;
    void save_snapshot(const std::string& name, const Snapshot& snapshot) override;
    std::vector<std::optional<StreamSnapshot>> load_stream_snapshots(
        const std::vector<StreamId>& streams) const override;
    void save_stream_snapshots(
        const std::vector<std::pair<StreamId, StreamSnapshot>>& snapshots) override;

  private:
    mutable std::mutex mutex_;
    // Appends are serialised, so append order is commit order and one append is one
    // "transaction".
    std::vector<RecordedEvent> all_;
    std::unordered_map<std::string, std::vector<std::size_t>> streams_;  // -> indexes in all_
    std::unordered_map<std::string, std::size_t> by_event_id_;           // -> index in all_
    std::uint64_t last_transaction_ = 0;
    std::map<std::string, CommitPosition> checkpoints_;
    std::map<std::string, Snapshot> snapshots_;
    std::map<std::string, StreamSnapshot> stream_snapshots_;
};

}  // namespace ordersource::eventstore
