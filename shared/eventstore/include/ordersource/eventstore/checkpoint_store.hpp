#pragma once
// Where a commit-order reader (a relay, a projection) remembers how far it got. Kept in the
// same database as the events, so a restart resumes exactly there.

#include <optional>
#include <string>

#include "ordersource/eventstore/types.hpp"

namespace ordersource::eventstore {

class CheckpointStore {
  public:
    virtual ~CheckpointStore() = default;

    // nullopt when `name` never saved one (start from kStartOfAll).
    virtual std::optional<CommitPosition> load_checkpoint(const std::string& name) const = 0;
    virtual void save_checkpoint(const std::string& name, CommitPosition position) = 0;

  protected:
    CheckpointStore() = default;
    CheckpointStore(const CheckpointStore&) = default;
    CheckpointStore& operator=(const CheckpointStore&) = default;
};

}  // namespace ordersource::eventstore
