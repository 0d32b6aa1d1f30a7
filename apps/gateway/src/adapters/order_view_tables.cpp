#include "adapters/order_view_tables.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <stdexcept>
#include <unordered_set>

#include "adapters/pg_copy.hpp"
#include "adapters/summary_cache.hpp"
#include "domain/order_summary_fold.hpp"
#include "ordersource/pg/primary_key.hpp"
#include "ordersource/pg/sql_text.hpp"

namespace ordersource::gateway {
namespace {

// status_version: the order-stream version of the event that set the status (-1: none yet),
// so a late or redelivered older event never moves the status back. writer_token: the random
// token of the live write that stored the row (NULL when COPYed); an update that keeps it,
// which only a writer unaware of it makes (an older gateway, an operator's SQL), clears it,
// so no cache trusts such a row (adapters/summary_cache.hpp). The history's primary
// key is made by create_history_key: a bulk load builds it after the rows.
constexpr std::string_view kCreateTables = R"sql(
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
CREATE TABLE IF NOT EXISTS {history} (
    event_id    uuid NOT NULL,
    order_id    uuid NOT NULL,
    type        text NOT NULL,
    version     bigint NOT NULL,
    occurred_at timestamptz NOT NULL
);
ALTER TABLE {summaries} ADD COLUMN IF NOT EXISTS writer_token bigint;
ALTER TABLE {history} ADD COLUMN IF NOT EXISTS status text;
ALTER TABLE {history} ADD COLUMN IF NOT EXISTS cancellation_reason text;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_proc WHERE proname = 'order_summaries_forget_writer_token'
                   AND pronamespace = CAST(current_schema() AS regnamespace)) THEN
        CREATE FUNCTION order_summaries_forget_writer_token() RETURNS trigger
        LANGUAGE plpgsql AS $body$ BEGIN NEW.writer_token := NULL; RETURN NEW; END $body$;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'forget_writer_token'
                   AND tgrelid = CAST('{summaries}' AS regclass)) THEN
        CREATE TRIGGER forget_writer_token BEFORE UPDATE ON {summaries} FOR EACH ROW
        WHEN (NEW.writer_token IS NOT DISTINCT FROM OLD.writer_token)
        EXECUTE FUNCTION order_summaries_forget_writer_token();
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS {offsets} (
    topic       text NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
)sql";

// What makes the idempotent write path possible: ON CONFLICT (order_id, version), an event's
// place in its order's stream. Tables made before ADR 26 are keyed by event_id, with the same
// pair in a second index; they are rekeyed (create_history_key), so one random-uuid index per
// row is left (docs/adr/0026-order-history-keyed-by-order-and-version.md).
constexpr std::string_view kHistoryKeyColumns = "order_id, version";
constexpr std::string_view kDropHistoryOrderIndex = "DROP INDEX IF EXISTS {history}_by_order";

// What the queries read by; a bulk load builds them once at its end. The history is read by
// its primary key (order_id, version).
constexpr std::string_view kCreateSummaryIndexes = R"sql(
CREATE INDEX IF NOT EXISTS {summaries}_by_customer ON {summaries} (customer_id, created_at, order_id);
CREATE INDEX IF NOT EXISTS {summaries}_by_status ON {summaries} (status, created_at, order_id);
CREATE INDEX IF NOT EXISTS {summaries}_by_creation ON {summaries} (created_at, order_id);
)sql";

// Every index, by the suffix it has after its table's name.
constexpr std::array kSummaryIndexes{"_pkey", "_by_customer", "_by_status", "_by_creation"};
constexpr std::array kHistoryIndexes{"_pkey"};
constexpr std::array kOffsetIndexes{"_pkey"};

std::string expand(std::string_view text, const OrderViewTables& tables) {
    return pg::with_placeholders(text, {{"{summaries}", tables.summaries},
                                        {"{history}", tables.history},
                                        {"{offsets}", tables.offsets}});
}

void create_history_key(soci::session& sql, const OrderViewTables& tables) {
    sql << pg::ensure_primary_key_sql(tables.history, kHistoryKeyColumns);
    sql << expand(kDropHistoryOrderIndex, tables);
}

std::string json_text(const rapidjson::StringBuffer& buffer) {
    return std::string(buffer.GetString(), buffer.GetSize());
}

void string_or_empty(rapidjson::Writer<rapidjson::StringBuffer>& writer,
                     const std::optional<std::string>& value) {
    writer.String(value.value_or(""));
}

std::string utc_millis(const char* column) {
    return std::string("to_char(") + column +
           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

// A uuid[] literal: = ANY of an array lets the planner probe the primary key per id.
template <typename Ids>
std::string uuid_array(const Ids& ids) {
    std::string array = "{";
    for (const auto& id : ids) {
        if (array.size() > 1) array += ',';
        array += id;
    }
    return array + "}";
}

// One advisory lock key per order: the first 32 bits of its (random) id. Two orders sharing
// a key only take turns; keys are taken in ascending order, so writers never deadlock.
std::vector<std::int32_t> order_lock_keys(const std::vector<OrderViewChange>& changes) {
    std::set<std::int32_t> keys;
    for (const auto& change : changes) {
        std::uint32_t key = 0;
        const auto* begin = change.order_id.data();
        std::from_chars(begin, begin + std::min<std::size_t>(8, change.order_id.size()), key, 16);
        keys.insert(static_cast<std::int32_t>(key));
    }
    return {keys.begin(), keys.end()};
}

void lock_orders(soci::session& sql,
                 const OrderViewTables& tables,
                 const std::vector<OrderViewChange>& changes) {
    const auto keys = order_lock_keys(changes);
    if (keys.empty()) return;
    std::string array = "{";
    for (const auto key : keys) array += (array.size() > 1 ? "," : "") + std::to_string(key);
    array += "}";
    // Keyed by table, so a rebuild writing its shadow never waits on the live projector.
    long long locked = 0;
    sql << "SELECT count(pg_advisory_xact_lock(hashtext(:space), k)) FROM "
           "unnest(CAST(:keys AS integer[])) AS t(k)",
        soci::use(tables.summaries, "space"), soci::use(array, "keys"), soci::into(locked);
}

// Runs `statement`, its :rows parameter bound to `rows`; returns the first column of each row.
std::vector<std::string> text_column(soci::session& sql,
                                     const std::string& statement,
                                     const std::string& rows) {
    soci::rowset<std::string> returned = (sql.prepare << statement, soci::use(rows, "rows"));
    return {returned.begin(), returned.end()};
}

// Inserts the history rows; returns the event ids that were new.
std::vector<std::string> insert_history(soci::session& sql,
                                        const OrderViewTables& tables,
                                        const std::vector<OrderViewChange>& changes) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    bool any = false;
    for (const auto& change : changes) {
        if (!change.history) continue;
        any = true;
        const auto& entry = *change.history;
        writer.StartObject();
        writer.Key("e");
        writer.String(entry.event_id);
        writer.Key("o");
        writer.String(change.order_id);
        writer.Key("t");
        writer.String(entry.type);
        writer.Key("v");
        writer.Int64(entry.version);
        writer.Key("a");
        writer.String(entry.occurred_at);
        writer.Key("s");
        string_or_empty(writer, entry.status);
        writer.Key("r");
        string_or_empty(writer, entry.cancellation_reason);
        writer.EndObject();
    }
    writer.EndArray();
    if (!any) return {};
    return text_column(sql,
                       "INSERT INTO " + tables.history + " (" + kHistoryColumns +
                           ") SELECT CAST(e AS uuid), CAST(o AS uuid), t, v, "
                           "CAST(a AS timestamptz), NULLIF(s, ''), NULLIF(r, '') FROM "
                           "jsonb_to_recordset(CAST(:rows AS jsonb)) AS h(e text, o text, t "
                           "text, v bigint, a text, s text, r text) ON CONFLICT (order_id, "
                           "version) DO NOTHING RETURNING CAST(event_id AS text)",
                       json_text(buffer));
}

// COPYs the history rows (the first of each event id); returns the event ids.
std::unordered_set<std::string_view> copy_history(soci::session& sql,
                                                  const OrderViewTables& tables,
                                                  const std::vector<OrderViewChange>& changes) {
    std::unordered_set<std::string_view> inserted;
    inserted.reserve(changes.size());
    CopyRows rows(7);
    for (const auto& change : changes) {
        if (!change.history || !inserted.insert(change.history->event_id).second) continue;
        const auto& entry = *change.history;
        rows.row()
            .uuid(entry.event_id)
            .uuid(change.order_id)
            .text(entry.type)
            .int64(entry.version)
            .timestamptz(entry.occurred_at)
            .nullable_text(entry.status)
            .nullable_text(entry.cancellation_reason);
    }
    if (!rows.empty()) {
        copy_rows(
            sql, "COPY " + tables.history + " (" + kHistoryColumns + ") FROM STDIN (FORMAT binary)",
            rows);
    }
    return inserted;
}

SummaryRows load_summaries(soci::session& sql,
                           const OrderViewTables& tables,
                           const std::unordered_set<std::string_view>& order_ids) {
    SummaryRows rows;
    if (order_ids.empty()) return rows;
    const auto ids = uuid_array(order_ids);
    soci::rowset<soci::row> found =
        (sql.prepare << "SELECT CAST(order_id AS text), customer_id, status, "
                        "COALESCE(cancellation_reason, ''), currency, total, CAST(items AS text), "
                        "item_count, " +
                            utc_millis("created_at") + ", " + utc_millis("updated_at") +
                            ", status_version FROM " + tables.summaries +
                            " WHERE order_id = ANY(CAST(:ids AS uuid[]))",
         soci::use(ids, "ids"));
    for (const auto& row : found) {
        SummaryRow summary;
        summary.order_id = row.get<std::string>(0);
        summary.customer_id = row.get<std::string>(1);
        summary.status = row.get<std::string>(2);
        if (auto reason = row.get<std::string>(3); !reason.empty()) {
            summary.cancellation_reason = std::move(reason);
        }
        summary.currency = row.get<std::string>(4);
        summary.total = row.get<std::string>(5);
        summary.items_json = row.get<std::string>(6);
        summary.item_count = row.get<int>(7);
        summary.created_at = row.get<std::string>(8);
        summary.updated_at = row.get<std::string>(9);
        summary.status_version = row.get<long long>(10);
        rows.emplace(summary.order_id, std::move(summary));
    }
    return rows;
}

// How one summary row is written: into a gap, over the row read in this transaction, or over
// the row a cache remembers, only if it still carries the token the cache has for it.
enum class SummaryWriteMode { kInsert, kUpdate, kUpdateIfToken };

struct SummaryWrite {
    SummaryWriteMode mode = SummaryWriteMode::kInsert;
    std::int64_t expected_token = 0;  // kUpdateIfToken
    bool items_changed = false;       // else the stored items stay (they dominate the payload)
    std::int64_t token = 0;           // stored with the row
};

// The touched orders' rows, folded, and how each is written.
struct SummaryPlan {
    SummaryRows rows;
    std::map<std::string, SummaryWrite, std::less<>> writes;
};

// Writes the plan's rows in one statement; returns the order ids it did not write: an insert
// that met a row, an update whose row is gone or carries another token.
std::vector<std::string> write_summaries(soci::session& sql,
                                         const OrderViewTables& tables,
                                         const SummaryPlan& plan) {
    if (plan.rows.empty()) return {};
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (const auto& [id, row] : plan.rows) {
        const auto& write = plan.writes.at(id);
        writer.StartObject();
        writer.Key("o");
        writer.String(row.order_id);
        writer.Key("c");
        writer.String(row.customer_id);
        writer.Key("s");
        writer.String(row.status);
        writer.Key("r");
        string_or_empty(writer, row.cancellation_reason);
        writer.Key("cu");
        writer.String(row.currency);
        writer.Key("t");
        writer.String(row.total);
        if (write.items_changed || write.mode == SummaryWriteMode::kInsert) {
            writer.Key("i");
            writer.RawValue(row.items_json.c_str(), row.items_json.size(), rapidjson::kArrayType);
        }
        writer.Key("n");
        writer.Int(row.item_count);
        writer.Key("ca");
        writer.String(row.created_at);
        writer.Key("ua");
        writer.String(row.updated_at);
        writer.Key("v");
        writer.Int64(row.status_version);
        writer.Key("m");
        switch (write.mode) {
            case SummaryWriteMode::kInsert:
                writer.String("i");
                break;
            case SummaryWriteMode::kUpdate:
                writer.String("u");
                break;
            case SummaryWriteMode::kUpdateIfToken:
                writer.String("t");
                writer.Key("w");
                writer.Int64(write.expected_token);
                break;
        }
        writer.Key("k");
        writer.Int64(write.token);
        writer.EndObject();
    }
    writer.EndArray();
    // The update joins by primary key (a nested loop over the batch); the two parts touch
    // disjoint orders, so one statement can do both. Only the rows not written come back
    // (none, nearly always): every returned row costs the client more than the anti-join.
    return text_column(
        sql,
        "WITH x AS (SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(o text, "
        "c text, s text, r text, cu text, t text, i jsonb, n integer, ca text, ua text, "
        "v bigint, m text, w bigint, k bigint)), updated AS (UPDATE " +
            tables.summaries +
            " AS s SET customer_id = x.c, status = x.s, cancellation_reason = "
            "NULLIF(x.r, ''), currency = x.cu, total = x.t, items = COALESCE(x.i, "
            "s.items), item_count = x.n, created_at = CAST(x.ca AS timestamptz), "
            "updated_at = CAST(x.ua AS timestamptz), status_version = x.v, "
            "writer_token = x.k FROM x WHERE x.m <> 'i' AND s.order_id = CAST(x.o AS "
            "uuid) AND (x.m = 'u' OR s.writer_token = x.w) RETURNING s.order_id), "
            "inserted AS (INSERT INTO " +
            tables.summaries + " (" + kSummaryColumns +
            ", writer_token) SELECT CAST(o AS uuid), c, s, NULLIF(r, ''), cu, t, i, n, "
            "CAST(ca AS timestamptz), CAST(ua AS timestamptz), v, k FROM x WHERE m = 'i' "
            "ON CONFLICT (order_id) DO NOTHING RETURNING order_id) SELECT x.o FROM x "
            "LEFT JOIN (SELECT order_id FROM updated UNION ALL SELECT order_id FROM "
            "inserted) AS w ON w.order_id = CAST(x.o AS uuid) WHERE w.order_id IS NULL",
        json_text(buffer));
}

std::unordered_set<std::string_view> orders_created_in(
    const std::vector<const OrderViewChange*>& changes) {
    auto orders = orders_starting_in(changes);
    for (const auto* change : changes) {
        if (change->details) orders.insert(change->order_id);
    }
    return orders;
}

// Folds the changes onto the plan's rows and gives every row its new token.
void fold_plan(SummaryPlan& plan, const std::vector<const OrderViewChange*>& changes) {
    for (const auto* change : changes) {
        if (change->details) plan.writes.find(change->order_id)->second.items_changed = true;
    }
    fold_summaries(plan.rows, changes);
    for (auto& [id, write] : plan.writes) {
        write.token = new_writer_token();
    }
}

void plan_from_database(SummaryPlan& plan,
                        soci::session& sql,
                        const OrderViewTables& tables,
                        const std::unordered_set<std::string_view>& order_ids) {
    auto loaded = load_summaries(sql, tables, order_ids);
    for (const auto id : order_ids) {
        std::string key(id);
        const auto mode =
            loaded.contains(key) ? SummaryWriteMode::kUpdate : SummaryWriteMode::kInsert;
        plan.writes[std::move(key)].mode = mode;
    }
    plan.rows.merge(loaded);
}

// Moves the written rows into the cache's staging area, with their tokens.
void stage_rows(SummaryCache* cache, SummaryPlan& plan) {
    if (cache == nullptr) return;
    for (auto& [id, row] : plan.rows) cache->stage(std::move(row), plan.writes.at(id).token);
}

// Folds the unseen changes onto the touched orders' rows and writes them, reading back only
// the rows the cache cannot vouch for (ADR 28); stages the written rows in the cache.
void fold_and_write_summaries(soci::session& sql,
                              const OrderViewTables& tables,
                              const std::vector<const OrderViewChange*>& unseen,
                              SummaryCache* cache) {
    const auto touched = touched_orders(unseen);
    SummaryPlan plan;
    std::unordered_set<std::string_view> to_read;
    if (cache == nullptr) {
        to_read = touched;
    } else {
        const auto created = orders_created_in(unseen);
        for (const auto id : touched) {
            std::string key(id);
            if (auto entry = cache->take(key)) {
                plan.writes[key] = {.mode = SummaryWriteMode::kUpdateIfToken,
                                    .expected_token = entry->token};
                plan.rows.emplace(std::move(key), std::move(entry->row));
            } else if (created.contains(id)) {
                plan.writes[std::move(key)].mode = SummaryWriteMode::kInsert;
            } else {
                to_read.insert(id);
            }
        }
    }
    plan_from_database(plan, sql, tables, to_read);
    fold_plan(plan, unseen);
    const auto unwritten = write_summaries(sql, tables, plan);
    if (unwritten.empty()) {
        stage_rows(cache, plan);
        return;
    }
    // Another writer changed (or created) these rows since this one cached (or guessed)
    // them: read them and fold this batch's changes onto what they hold now.
    std::unordered_set<std::string_view> stale(unwritten.begin(), unwritten.end());
    std::vector<const OrderViewChange*> theirs;
    for (const auto* change : unseen) {
        if (stale.contains(change->order_id)) theirs.push_back(change);
    }
    for (const auto& id : unwritten) {
        plan.rows.erase(id);
        plan.writes.erase(id);
    }
    stage_rows(cache, plan);
    SummaryPlan reread;
    plan_from_database(reread, sql, tables, stale);
    fold_plan(reread, theirs);
    if (!write_summaries(sql, tables, reread).empty()) {
        // Under the orders' advisory locks nothing else writes them: a bug or a foreign writer.
        throw std::runtime_error("order summaries changed while their advisory locks were held");
    }
    stage_rows(cache, reread);
}

// Replaces the rows: the stored ones among them are deleted, then all are COPYed.
void copy_summaries(soci::session& sql,
                    const OrderViewTables& tables,
                    const std::map<std::string, SummaryRow>& rows,
                    const std::set<std::string>& stored) {
    if (!stored.empty()) {
        const auto ids = uuid_array(stored);
        sql << "DELETE FROM " + tables.summaries + " WHERE order_id = ANY(CAST(:ids AS uuid[]))",
            soci::use(ids, "ids");
    }
    CopyRows copy(11);
    for (const auto& [id, row] : rows) {
        copy.row()
            .uuid(row.order_id)
            .text(row.customer_id)
            .text(row.status)
            .nullable_text(row.cancellation_reason)
            .text(row.currency)
            .text(row.total)
            .jsonb(row.items_json)
            .int32(row.item_count)
            .timestamptz(row.created_at)
            .timestamptz(row.updated_at)
            .int64(row.status_version);
    }
    if (!copy.empty()) {
        copy_rows(
            sql,
            "COPY " + tables.summaries + " (" + kSummaryColumns + ") FROM STDIN (FORMAT binary)",
            copy);
    }
}

}  // namespace

void create_order_view_tables(soci::session& sql, const OrderViewTables& tables) {
    sql << expand(kCreateTables, tables);
    create_order_view_indexes(sql, tables);
}

void create_order_view_tables_for_bulk_load(soci::session& sql,
                                            const OrderViewTables& tables,
                                            WritePath path) {
    sql << expand(kCreateTables, tables);
    if (path == WritePath::kIdempotent) create_history_key(sql, tables);
}

void create_order_view_indexes(soci::session& sql, const OrderViewTables& tables) {
    create_history_indexes(sql, tables);
    create_summary_indexes(sql, tables);
}

void create_history_indexes(soci::session& sql, const OrderViewTables& tables) {
    create_history_key(sql, tables);
}

void create_summary_indexes(soci::session& sql, const OrderViewTables& tables) {
    sql << expand(kCreateSummaryIndexes, tables);
}

void store_feed_offsets(soci::session& sql,
                        const OrderViewTables& tables,
                        const FeedOffsets& next) {
    if (next.empty()) return;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    // In (topic, partition) order, so writers overlapping on partitions never deadlock.
    for (const auto& [partition, offset] : next) {
        writer.StartObject();
        writer.Key("t");
        writer.String(partition.first);
        writer.Key("p");
        writer.Int(partition.second);
        writer.Key("n");
        writer.Int64(offset);
        writer.EndObject();
    }
    writer.EndArray();
    const auto json = json_text(buffer);
    sql << "INSERT INTO " + tables.offsets +
               " (topic, partition, next_offset) SELECT t, p, n FROM "
               "jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(t text, p integer, n bigint) ON "
               "CONFLICT (topic, partition) DO UPDATE SET next_offset = greatest(" +
               tables.offsets + ".next_offset, excluded.next_offset)",
        soci::use(json, "rows");
}

FeedOffsets feed_positions(soci::session& sql, const OrderViewTables& tables) {
    FeedOffsets positions;
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

void apply_order_view_batch(soci::session& sql,
                            const OrderViewTables& tables,
                            std::vector<OrderViewChange> changes,
                            WritePath path,
                            SummaryRows* carried,
                            SummaryCache* cache) {
    for (auto& change : changes) change = with_normalised_times(std::move(change));
    std::vector<std::string> returned_ids;
    std::unordered_set<std::string_view> new_event_ids;
    switch (path) {
        case WritePath::kIdempotent:
            // The write lock first: a rebuild's swap holds EXCLUSIVE on these tables and then
            // drops them, so a reader here that wrote only later would deadlock with it
            // (ADR 11); waiting before reading, this transaction goes on in the new tables.
            sql << "LOCK TABLE " + tables.summaries + ", " + tables.history +
                       " IN ROW EXCLUSIVE MODE";
            // Then the orders: an order's rows change under one writer at a time.
            lock_orders(sql, tables, changes);
            returned_ids = insert_history(sql, tables, changes);
            new_event_ids.insert(returned_ids.begin(), returned_ids.end());
            break;
        case WritePath::kStoreBulkLoad:
            new_event_ids = copy_history(sql, tables, changes);
            break;
    }
    const auto unseen = unseen_changes(changes, new_event_ids);
    if (path == WritePath::kIdempotent) {
        fold_and_write_summaries(sql, tables, unseen, cache);
        return;
    }
    auto touched = touched_orders(unseen);
    for (const auto order_id : orders_starting_in(unseen)) touched.erase(order_id);
    SummaryRows rows;
    if (carried != nullptr) {
        for (auto found = carried->begin(); found != carried->end();) {
            if (touched.erase(found->first) == 0) {
                ++found;
                continue;
            }
            rows.insert(carried->extract(found++));
        }
    }
    rows.merge(load_summaries(sql, tables, touched));
    std::set<std::string> stored;
    for (const auto& [id, row] : rows) stored.insert(id);
    fold_summaries(rows, unseen);
    copy_summaries(sql, tables, rows, stored);
    if (carried != nullptr) *carried = std::move(rows);
}

void apply_feed_batch(soci::session& sql,
                      const OrderViewTables& tables,
                      const std::vector<FeedChange>& batch,
                      WritePath path,
                      SummaryCache* cache) {
    std::vector<OrderViewChange> changes;
    changes.reserve(batch.size());
    FeedOffsets next;
    for (const auto& [change, position] : batch) {
        auto& slot = next[{position.topic, position.partition}];
        slot = std::max(slot, position.offset + 1);
        if (change) changes.push_back(*change);
    }
    apply_order_view_batch(sql, tables, std::move(changes), path, nullptr, cache);
    store_feed_offsets(sql, tables, next);
}

}  // namespace ordersource::gateway
