#pragma once
// A commit-order reader's folded state at a position, so that a restart reads only what the
// store recorded after it instead of the whole store. A snapshot is a cache of a fold, never
// the truth: a reader that finds none, or one in a format it does not know, folds from
// kStartOfAll and loses nothing (docs/adr/0020-deadline-watcher-snapshots.md).

#include <optional>
#include <string>

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

}  // namespace ordersource::eventstore
