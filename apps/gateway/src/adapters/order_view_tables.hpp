#pragma once
// The order read model's tables and how a batch of changes is applied to them, for any set of
// table names: the live tables the gateway serves and the shadow tables the replay tool
// rebuilds and swaps in (docs/adr/0011-projection-rebuild-by-shadow-swap.md). One
// implementation serves both, so a rebuild gives exactly the live rows
// (docs/adr/0016-batched-order-views-and-fast-rebuild.md).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/ports.hpp"
#include "domain/order_summary_fold.hpp"
#include "domain/order_view.hpp"

namespace soci {
class session;
}

namespace ordersource::gateway {

class SummaryCache;

struct OrderViewTables {
    std::string summaries = "order_summaries";
    std::string history = "order_history";
    // Next Kafka offset per partition, written with the rows (the projection's checkpoint).
    std::string offsets = "order_views_offsets";

    // The replay tool's shadow set.
    static OrderViewTables shadow() {
        return {"order_summaries_shadow", "order_history_shadow", "order_views_offsets_shadow"};
    }
};

// Every column, in one order for every statement that lists them (COPY, diffs).
inline constexpr const char* kSummaryColumns =
    "order_id, customer_id, status, cancellation_reason, currency, total, items, item_count, "
    "created_at, updated_at, status_version";
inline constexpr const char* kHistoryColumns =
    "event_id, order_id, type, version, occurred_at, status, cancellation_reason";

// Next offset to read per (topic, partition).
using FeedOffsets = std::map<std::pair<std::string, std::int32_t>, std::int64_t>;

// Moves the checkpoint to `next` (never backwards), inside the caller's transaction.
void store_feed_offsets(soci::session& sql, const OrderViewTables& tables, const FeedOffsets& next);

// The checkpoint.
FeedOffsets feed_positions(soci::session& sql, const OrderViewTables& tables);

// Drops `tables` (if present) and renames `from` (tables and indexes) to their names, inside
// the caller's transaction.
void replace_order_view_tables(soci::session& sql,
                               const OrderViewTables& tables,
                               const OrderViewTables& from);

void drop_order_view_tables(soci::session& sql, const OrderViewTables& tables);

enum class WritePath {
    // Idempotent by event id (INSERT ... ON CONFLICT), each touched order locked first so
    // writers that overlap on an order (gateway instances during a rebalance) take turns.
    kIdempotent,
    // COPY, without locks, for a rebuild from the order-service's event store into tables
    // it alone writes, its position moving with the rows: no event of the batch is stored in
    // them yet (the store holds each event id once), and an order has a row only once an
    // event of its stream was applied, so the rows of orders whose stream starts in the
    // batch (version 1) are not looked for.
    kStoreBulkLoad,
};

// Creates the tables and their indexes if missing (idempotent; the caller holds any lock
// needed).
void create_order_view_tables(soci::session& sql, const OrderViewTables& tables);
// The tables with only the indexes `path` writes through (summaries' primary key; for
// kIdempotent also the history's), for a bulk load: the others cost several times more kept
// up row by row than built once afterwards by create_order_view_indexes (ADR 16).
void create_order_view_tables_for_bulk_load(soci::session& sql,
                                            const OrderViewTables& tables,
                                            WritePath path);
// Every index the tables lack, if any.
void create_order_view_indexes(soci::session& sql, const OrderViewTables& tables);
// The same for one table each (two sessions can build them at once).
void create_history_indexes(soci::session& sql, const OrderViewTables& tables);
void create_summary_indexes(soci::session& sql, const OrderViewTables& tables);

// The summary rows a store bulk load wrote in its last batch, by order id.
using SummaryRows = std::map<std::string, SummaryRow>;

// Applies the batch, in order, inside the caller's transaction with a few statements: stores
// the history rows, keeps the changes whose event was new, loads the summaries they touch,
// folds them in memory (domain/order_summary_fold.hpp) and writes them back. Applying a
// change again changes nothing. kStoreBulkLoad only: `carried`, if given, holds the rows the
// load's previous batch wrote and is replaced by this batch's; rows found there are not
// read back from the database (orders whose outcome lands in the next batch).
// kIdempotent only: rows found in `cache`, if given, are not read back either unless another
// writer changed them since, and the rows written are staged in it; the caller commits the
// staged rows after its transaction, or discards them (adapters/summary_cache.hpp).
void apply_order_view_batch(soci::session& sql,
                            const OrderViewTables& tables,
                            std::vector<OrderViewChange> changes,
                            WritePath path = WritePath::kIdempotent,
                            SummaryRows* carried = nullptr,
                            SummaryCache* cache = nullptr);

// The same for records of the Kafka feed, moving the checkpoint past each of them in the
// same transaction.
void apply_feed_batch(soci::session& sql,
                      const OrderViewTables& tables,
                      const std::vector<FeedChange>& batch,
                      WritePath path = WritePath::kIdempotent,
                      SummaryCache* cache = nullptr);

}  // namespace ordersource::gateway
