#include "adapters/order_view_tables.hpp"

#include <soci/soci.h>

#include <array>

namespace ordersource::gateway {
namespace {

// status_version: the order-stream version of the event that set the status (-1: none yet),
// so a late or redelivered older event never moves the status back.
constexpr std::string_view kMigrate = R"sql(
CREATE TABLE IF NOT EXISTS {summaries} (
    order_id            uuid PRIMARY KEY,
    customer_id         text NOT NULL DEFAULT '',
    status              text NOT NULL,
    cancellation_reason text,
    currency            text NOT NULL DEFAULT '',
    total               text NOT NULL DEFAULT '0.00',
    items               jsonb NOT NULL DEFAULT '[]',
    item_count          integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    status_version      bigint NOT NULL DEFAULT -1
);
CREATE INDEX IF NOT EXISTS {summaries}_by_customer ON {summaries} (customer_id, created_at, order_id);
CREATE INDEX IF NOT EXISTS {summaries}_by_status ON {summaries} (status, created_at, order_id);
CREATE TABLE IF NOT EXISTS {history} (
    event_id    uuid PRIMARY KEY,
    order_id    uuid NOT NULL,
    type        text NOT NULL,
    version     bigint NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS {history}_by_order ON {history} (order_id, version);
ALTER TABLE {history} ADD COLUMN IF NOT EXISTS status text;
ALTER TABLE {history} ADD COLUMN IF NOT EXISTS cancellation_reason text;
CREATE INDEX IF NOT EXISTS {summaries}_by_creation ON {summaries} (created_at, order_id);
CREATE TABLE IF NOT EXISTS {offsets} (
    topic       text NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
)sql";

// Every index, by the suffix it has after its table's name.
constexpr std::array kSummaryIndexes{"_pkey", "_by_customer", "_by_status", "_by_creation"};
constexpr std::array kHistoryIndexes{"_pkey", "_by_order"};
constexpr std::array kOffsetIndexes{"_pkey"};

std::string expand(std::string_view text, const OrderViewTables& tables) {
    std::string result(text);
    for (const auto& [name, value] :
         {std::pair<std::string, std::string>{"{summaries}", tables.summaries},
          {"{history}", tables.history},
          {"{offsets}", tables.offsets}}) {
        for (auto at = result.find(name); at != std::string::npos; at = result.find(name, at)) {
            result.replace(at, name.size(), value);
            at += value.size();
        }
    }
    return result;
}

}  // namespace

void create_order_view_tables(soci::session& sql, const OrderViewTables& tables) {
    sql << expand(kMigrate, tables);
}

void record_feed_position(soci::session& sql,
                          const OrderViewTables& tables,
                          const FeedPosition& position) {
    const long long next = position.offset + 1;
    const int partition = position.partition;
    sql << "INSERT INTO " + tables.offsets +
               " (topic, partition, next_offset) VALUES (:topic, "
               ":partition, :next) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = "
               "greatest(" +
               tables.offsets + ".next_offset, excluded.next_offset)",
        soci::use(position.topic, "topic"), soci::use(partition, "partition"),
        soci::use(next, "next");
}

std::map<std::pair<std::string, std::int32_t>, std::int64_t> feed_positions(
    soci::session& sql, const OrderViewTables& tables) {
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> positions;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT topic, partition, next_offset FROM " + tables.offsets);
    for (const auto& row : rows) {
        positions[{row.get<std::string>(0), row.get<int>(1)}] = row.get<long long>(2);
    }
    return positions;
}

void drop_order_view_tables(soci::session& sql, const OrderViewTables& tables) {
    sql << "DROP TABLE IF EXISTS " + tables.summaries + ", " + tables.history + ", " +
               tables.offsets;
}

void replace_order_view_tables(soci::session& sql,
                               const OrderViewTables& tables,
                               const OrderViewTables& from) {
    drop_order_view_tables(sql, tables);
    const auto rename = [&sql](const std::string& from_table, const std::string& to_table,
                               const auto& suffixes) {
        sql << "ALTER TABLE " + from_table + " RENAME TO " + to_table;
        for (const std::string suffix : suffixes) {
            sql << "ALTER INDEX " + from_table + suffix + " RENAME TO " + to_table + suffix;
        }
    };
    rename(from.summaries, tables.summaries, kSummaryIndexes);
    rename(from.history, tables.history, kHistoryIndexes);
    rename(from.offsets, tables.offsets, kOffsetIndexes);
}

void apply_order_view_change(soci::session& sql,
                             const OrderViewTables& tables,
                             const OrderViewChange& change) {
    if (change.history) {
        const auto& entry = *change.history;
        const std::string history_status = entry.status.value_or("");
        const std::string history_reason = entry.cancellation_reason.value_or("");
        soci::statement insert =
            (sql.prepare
                 << "INSERT INTO " + tables.history +
                        " (event_id, order_id, type, version, occurred_at, "
                        "status, cancellation_reason) VALUES (CAST(:event AS uuid), CAST(:order AS "
                        "uuid), :type, :version, CAST(:at AS timestamptz), NULLIF(:status, ''), "
                        "NULLIF(:reason, '')) ON CONFLICT (event_id) DO NOTHING",
             soci::use(entry.event_id, "event"), soci::use(change.order_id, "order"),
             soci::use(entry.type, "type"), soci::use(entry.version, "version"),
             soci::use(entry.occurred_at, "at"), soci::use(history_status, "status"),
             soci::use(history_reason, "reason"));
        insert.execute(true);
        if (insert.get_affected_rows() == 0) return;  // seen before: all else was applied then
    }
    const std::string created_at = change.created_at.value_or(change.occurred_at);
    sql << "INSERT INTO " + tables.summaries +
               " (order_id, status, created_at, updated_at) VALUES (CAST(:order AS uuid), "
               "'PENDING', CAST(:created AS timestamptz), CAST(:at AS timestamptz)) ON CONFLICT "
               "(order_id) DO UPDATE SET created_at = least(" +
               tables.summaries + ".created_at, excluded.created_at)",
        soci::use(change.order_id, "order"), soci::use(created_at, "created"),
        soci::use(change.occurred_at, "at");
    if (change.details) {
        const auto& details = *change.details;
        sql << "UPDATE " + tables.summaries +
                   " SET customer_id = :customer, currency = :currency, total = "
                   ":total, "
                   "items = CAST(:items AS jsonb), item_count = :count WHERE order_id = "
                   "CAST(:order AS "
                   "uuid)",
            soci::use(details.customer_id, "customer"), soci::use(details.currency, "currency"),
            soci::use(details.total, "total"), soci::use(details.items_json, "items"),
            soci::use(details.item_count, "count"), soci::use(change.order_id, "order");
    }
    if (change.status) {
        const auto& status = *change.status;
        const std::string reason = status.cancellation_reason.value_or("");
        sql << "UPDATE " + tables.summaries +
                   " SET status = :status, cancellation_reason = NULLIF(:reason, "
                   "''), "
                   "status_version = :version, updated_at = greatest(updated_at, CAST(:at AS "
                   "timestamptz)) "
                   "WHERE order_id = CAST(:order AS uuid) AND status_version < :version",
            soci::use(status.status, "status"), soci::use(reason, "reason"),
            soci::use(status.version, "version"), soci::use(change.occurred_at, "at"),
            soci::use(change.order_id, "order");
    }
}

}  // namespace ordersource::gateway
