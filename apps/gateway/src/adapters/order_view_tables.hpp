#pragma once
// The order read model's tables and how one change is applied to them, for any pair of
// table names: the live tables the gateway serves and the shadow tables the replay tool
// rebuilds and swaps in (docs/adr/0011-projection-rebuild-by-shadow-swap.md).

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "app/ports.hpp"
#include "domain/order_view.hpp"

namespace soci {
class session;
}

namespace ordersource::gateway {

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

// Creates the tables and indexes if missing (idempotent; the caller holds any lock needed).
void create_order_view_tables(soci::session& sql, const OrderViewTables& tables);

// Moves the checkpoint past `position` (never backwards), inside the caller's transaction.
void record_feed_position(soci::session& sql,
                          const OrderViewTables& tables,
                          const FeedPosition& position);

// The checkpoint: next offset to read per (topic, partition).
std::map<std::pair<std::string, std::int32_t>, std::int64_t> feed_positions(
    soci::session& sql, const OrderViewTables& tables);

// Drops `tables` (if present) and renames `from` (tables and indexes) to their names, inside
// the caller's transaction.
void replace_order_view_tables(soci::session& sql,
                               const OrderViewTables& tables,
                               const OrderViewTables& from);

void drop_order_view_tables(soci::session& sql, const OrderViewTables& tables);

// Applies the change inside the caller's transaction; applying it again changes nothing.
void apply_order_view_change(soci::session& sql,
                             const OrderViewTables& tables,
                             const OrderViewChange& change);

}  // namespace ordersource::gateway
