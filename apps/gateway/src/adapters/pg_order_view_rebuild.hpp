#pragma once
// The replay tool's side of the order read model: builds shadow tables beside the live ones
// and swaps them in atomically, or diffs them against the live ones
// (docs/adr/0011-projection-rebuild-by-shadow-swap.md).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adapters/order_view_tables.hpp"
#include "ordersource/pg/connection.hpp"

namespace soci {
class session;
class transaction;
}  // namespace soci

namespace ordersource::gateway {

// Where a rebuild from the order-service's event store stands: the commit-order read position
// after the last event applied (eventstore::CommitPosition, ADR 6), kept with the shadow rows.
struct StorePosition {
    std::uint64_t transaction = 0;
    std::int64_t global_position = 0;
};

// Thrown by PgOrderViewRebuild's constructor while another rebuild of the same tables runs.
class RebuildInProgress : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class PgOrderViewRebuild {
  public:
    // In `schema` if one is named (tests), else in the search path's first schema. Holds the
    // schema's rebuild lock for its lifetime; throws RebuildInProgress if another holds it.
    explicit PgOrderViewRebuild(const pg::ConnectionSettings& settings,
                                const std::string& schema = {});
    ~PgOrderViewRebuild();
    PgOrderViewRebuild(const PgOrderViewRebuild&) = delete;
    PgOrderViewRebuild& operator=(const PgOrderViewRebuild&) = delete;

    // Creates the live and shadow tables if missing, a new shadow with only the indexes `path`
    // writes through; `fresh` empties the shadow first. Returns the shadow's checkpoint (empty
    // for a fresh rebuild): where to resume.
    FeedOffsets open(bool fresh, WritePath path);
    // The shadow's position in the event store, if a rebuild from the store left one (ADR 14).
    std::optional<StorePosition> store_position();
    // The live projection's checkpoint (what it has applied).
    FeedOffsets live_offsets();

    // Applies the records to the shadow (idempotently: a topic may hold an event twice) and
    // moves its checkpoint, in one transaction - or in the swap's transaction once
    // lock_live() was called.
    void apply(const std::vector<FeedChange>& batch);
    // The same for changes read from the event store, up to and including `next`, by COPY:
    // the store holds each event id once and the position moves with the rows, so no event
    // reaches the shadow twice.
    void apply_from_store(std::vector<OrderViewChange> changes, StorePosition next);
    // Builds the indexes open() left out; call before lock_live().
    void build_indexes();
    // After lock_live(), for a shadow built from the store: it takes over the live projection's
    // Kafka checkpoint (the live projector goes on from there and skips what the store already
    // gave, by event id) and the live rows of orders the store does not know yet (placed at
    // the gateway, not yet accepted by the order service).
    void hand_over_to_live_feed();

    // Opens the transaction that ends with swap() or discard(), and blocks the live
    // projector's writes until then (readers go on reading the live tables).
    void lock_live();
    // Rows that differ between live and shadow, rendered as text ("live only: ...",
    // "rebuilt only: ..."), at most `limit`. Call after lock_live().
    std::vector<std::string> differences(std::size_t limit);
    // The shadow becomes the live projection in the locked transaction, which commits.
    void swap();
    // Ends the locked transaction (if any) without changing the live tables and drops the shadow.
    void discard();

  private:
    pg::ConnectionSettings settings_;
    std::string schema_;
    std::unique_ptr<soci::session> session_;
    std::unique_ptr<soci::transaction> swap_transaction_;
    // The summary rows the last committed store batch wrote (apply_order_view_batch).
    SummaryRows last_written_;
};

}  // namespace ordersource::gateway
