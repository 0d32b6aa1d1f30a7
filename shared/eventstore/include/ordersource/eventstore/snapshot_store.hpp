#pragma once
// A commit-order reader's folded state at a position, so that a restart reads only what the
// store recorded after it instead of the whole store. A snapshot is a cache of a fold, never
// the truth: a reader that finds none, or one in a format it does not know, folds from
// kStartOfAll and loses nothing (docs/adr/0020-deadline-watcher-snapshots.md).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ordersource/eventstore/types.hpp"

namespace ordersource::eventstore {

struct Snapshot {
    CommitPosition position;  // the state includes every event up to here and none after
    int format = 1;           // the reader's own version of how `state` is encoded
    std::string state;

    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

class SnapshotStore {
  public:
    virtual ~SnapshotStore() = default;

    // nullopt when `name` never saved one.
    virtual std::optional<Snapshot> load_snapshot(const std::string& name) const = 0;
    // Replaces the snapshot saved under `name`.
    virtual void save_snapshot(const std::string& name, const Snapshot& snapshot) = 0;

  protected:
    SnapshotStore() = default;
    SnapshotStore(const SnapshotStore&) = default;
    SnapshotStore& operator=(const SnapshotStore&) = default;
};

// One stream's folded state at a version, so that loading the stream reads only the events
// after it. Same rule: a cache of the fold, never the truth; one that is missing, in an
// unknown format or undecodable means reading the stream from its first event
// (docs/adr/0022-stream-snapshots.md).
struct StreamSnapshot {
    StreamVersion version;  // the state folds the stream's events 1..version
    int format = 1;
    std::string state;

    friend bool operator==(const StreamSnapshot&, const StreamSnapshot&) = default;
};

// Where in each run of `every` versions a stream's snapshots fall: 0 .. every - 1, from the
// stream id (FNV-1a, the same in every process), so that streams appended in step - one event
// each per order, as accounts are - do not all save in the same batch (ADR 22 amendment).
std::int64_t snapshot_offset(const StreamId& stream, std::int64_t every);

// True when an append taking `stream` from `before` to `after` passes a version v with
// (v + snapshot_offset(stream, every)) a multiple of `every`; never when `every` <= 0.
bool snapshot_due(const StreamId& stream,
                  StreamVersion before,
                  StreamVersion after,
                  std::int64_t every);

class StreamSnapshotStore {
  public:
    virtual ~StreamSnapshotStore() = default;

    // One entry per requested stream, in order; nullopt where none was saved.
    virtual std::vector<std::optional<StreamSnapshot>> load_stream_snapshots(
        const std::vector<StreamId>& streams) const = 0;
    // Keeps, per stream, the snapshot of the highest version saved so far: two writers saving
    // the same stream never move it back.
    virtual void save_stream_snapshots(
        const std::vector<std::pair<StreamId, StreamSnapshot>>& snapshots) = 0;

  protected:
    StreamSnapshotStore() = default;
    StreamSnapshotStore(const StreamSnapshotStore&) = default;
    StreamSnapshotStore& operator=(const StreamSnapshotStore&) = default;
};

}  // namespace ordersource::eventstore
