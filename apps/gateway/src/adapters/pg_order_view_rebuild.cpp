#include "adapters/pg_order_view_rebuild.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/soci.h>

#include <set>

#include "domain/order_summary_fold.hpp"
#include "ordersource/contracts/envelope.hpp"

namespace ordersource::gateway {
namespace {

// Same columns, same order, both sides; jsonb and timestamps compare by value.
constexpr const char* kSummaryColumns =
    "order_id, customer_id, status, cancellation_reason, currency, total, items, item_count, "
    "created_at, updated_at, status_version";
constexpr const char* kHistoryColumns =
    "event_id, order_id, type, version, occurred_at, status, cancellation_reason";

std::string utc_millis(const char* column) {
    return std::string("to_char(") + column +
           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

std::string normalised_time(const std::string& text) {
    const auto millis = contracts::parse_rfc3339_millis(text);
    return millis ? contracts::format_rfc3339_millis(*millis) : text;
}

std::string json_text(const rapidjson::StringBuffer& buffer) {
    return std::string(buffer.GetString(), buffer.GetSize());
}

void string_or_empty(rapidjson::Writer<rapidjson::StringBuffer>& writer,
                     const std::optional<std::string>& value) {
    writer.String(value.value_or(""));
}

// Inserts the history rows; returns the event ids that were new.
std::set<std::string> insert_history(soci::session& sql,
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
    std::set<std::string> inserted;
    if (!any) return inserted;
    const auto rows = json_text(buffer);
    soci::rowset<std::string> returned =
        (sql.prepare << "INSERT INTO " + tables.history +
                            " (event_id, order_id, type, version, occurred_at, status, "
                            "cancellation_reason) SELECT CAST(e AS uuid), CAST(o AS uuid), t, v, "
                            "CAST(a AS timestamptz), NULLIF(s, ''), NULLIF(r, '') FROM "
                            "jsonb_to_recordset(CAST(:rows AS jsonb)) AS h(e text, o text, t "
                            "text, v bigint, a text, s text, r text) ON CONFLICT (event_id) DO "
                            "NOTHING RETURNING CAST(event_id AS text)",
         soci::use(rows, "rows"));
    for (const auto& id : returned) inserted.insert(id);
    return inserted;
}

std::map<std::string, SummaryRow> load_summaries(soci::session& sql,
                                                 const OrderViewTables& tables,
                                                 const std::set<std::string>& order_ids) {
    std::map<std::string, SummaryRow> rows;
    if (order_ids.empty()) return rows;
    // A uuid[] literal: = ANY of an array lets the planner probe the primary key per id.
    std::string ids = "{";
    for (const auto& id : order_ids) ids += (ids.size() > 1 ? "," : "") + id;
    ids += "}";
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

void upsert_summaries(soci::session& sql,
                      const OrderViewTables& tables,
                      const std::map<std::string, SummaryRow>& rows) {
    if (rows.empty()) return;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (const auto& [id, row] : rows) {
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
        writer.Key("i");
        writer.RawValue(row.items_json.c_str(), row.items_json.size(), rapidjson::kArrayType);
        writer.Key("n");
        writer.Int(row.item_count);
        writer.Key("ca");
        writer.String(row.created_at);
        writer.Key("ua");
        writer.String(row.updated_at);
        writer.Key("v");
        writer.Int64(row.status_version);
        writer.EndObject();
    }
    writer.EndArray();
    const auto json = json_text(buffer);
    sql << "INSERT INTO " + tables.summaries +
               " (order_id, customer_id, status, cancellation_reason, currency, total, items, "
               "item_count, created_at, updated_at, status_version) SELECT CAST(o AS uuid), c, s, "
               "NULLIF(r, ''), cu, t, i, n, CAST(ca AS timestamptz), CAST(ua AS timestamptz), v "
               "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(o text, c text, s text, r "
               "text, cu text, t text, i jsonb, n integer, ca text, ua text, v bigint) ON "
               "CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id, status = "
               "excluded.status, cancellation_reason = excluded.cancellation_reason, currency = "
               "excluded.currency, total = excluded.total, items = excluded.items, item_count = "
               "excluded.item_count, created_at = excluded.created_at, updated_at = "
               "excluded.updated_at, status_version = excluded.status_version",
        soci::use(json, "rows");
}

void upsert_offsets(soci::session& sql, const OrderViewTables& tables, const FeedOffsets& next) {
    if (next.empty()) return;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
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

// Only a rebuild from the store has one; dropped with the shadow (ADR 14).
constexpr const char* kStorePositionTable = "order_views_store_position_shadow";
constexpr const char* kStoreSource = "order_service";

void drop_store_position(soci::session& sql) {
    sql << std::string("DROP TABLE IF EXISTS ") + kStorePositionTable;
}

// Times as the rebuild compares and folds them: normalised text orders like timestamptz.
OrderViewChange normalised(OrderViewChange change) {
    change.occurred_at = normalised_time(change.occurred_at);
    if (change.created_at) change.created_at = normalised_time(*change.created_at);
    if (change.history) change.history->occurred_at = normalised_time(change.history->occurred_at);
    return change;
}

}  // namespace

PgOrderViewRebuild::PgOrderViewRebuild(const pg::ConnectionSettings& settings)
    : session_(pg::open_session(settings)) {
    *session_ << "SET client_min_messages = warning";
}

PgOrderViewRebuild::~PgOrderViewRebuild() = default;

FeedOffsets PgOrderViewRebuild::open(bool fresh) {
    soci::transaction transaction(*session_);
    // The same lock as the gateway's migration: never two creators at once.
    *session_ << "SELECT pg_advisory_xact_lock(hashtext('gateway order views'))";
    create_order_view_tables(*session_, OrderViewTables{});
    if (fresh) {
        drop_order_view_tables(*session_, OrderViewTables::shadow());
        drop_store_position(*session_);
    }
    create_order_view_tables(*session_, OrderViewTables::shadow());
    *session_ << std::string("CREATE TABLE IF NOT EXISTS ") + kStorePositionTable +
                     " (source text PRIMARY KEY, transaction_id bigint NOT NULL, "
                     "global_position bigint NOT NULL)";
    auto offsets = feed_positions(*session_, OrderViewTables::shadow());
    transaction.commit();
    return offsets;
}

std::optional<StorePosition> PgOrderViewRebuild::store_position() {
    // Named: soci reads bound values when the statement runs, after temporaries are gone.
    const std::string source = kStoreSource;
    long long transaction = 0;
    long long position = 0;
    soci::indicator found = soci::i_null;
    *session_ << std::string("SELECT transaction_id, global_position FROM ") + kStorePositionTable +
                     " WHERE source = :source",
        soci::into(transaction, found), soci::into(position), soci::use(source);
    if (!session_->got_data() || found != soci::i_ok) return std::nullopt;
    return StorePosition{static_cast<std::uint64_t>(transaction), position};
}

FeedOffsets PgOrderViewRebuild::live_offsets() {
    return feed_positions(*session_, OrderViewTables{});
}

void PgOrderViewRebuild::apply(
    const std::vector<std::pair<std::optional<OrderViewChange>, FeedPosition>>& batch) {
    std::unique_ptr<soci::transaction> own;
    if (!swap_transaction_) own = std::make_unique<soci::transaction>(*session_);
    std::vector<OrderViewChange> changes;
    FeedOffsets next;
    for (const auto& [change, position] : batch) {
        auto& slot = next[{position.topic, position.partition}];
        slot = std::max(slot, position.offset + 1);
        if (change) changes.push_back(normalised(*change));
    }
    apply_changes(changes);
    // The checkpoint, in the same transaction.
    upsert_offsets(*session_, OrderViewTables::shadow(), next);
    if (own) own->commit();
}

void PgOrderViewRebuild::apply_from_store(const std::vector<OrderViewChange>& changes,
                                          StorePosition next) {
    std::unique_ptr<soci::transaction> own;
    if (!swap_transaction_) own = std::make_unique<soci::transaction>(*session_);
    std::vector<OrderViewChange> normalised_changes;
    normalised_changes.reserve(changes.size());
    for (const auto& change : changes) normalised_changes.push_back(normalised(change));
    apply_changes(normalised_changes);
    const std::string source = kStoreSource;
    const auto transaction = static_cast<long long>(next.transaction);
    const long long position = next.global_position;
    *session_ << std::string("INSERT INTO ") + kStorePositionTable +
                     " (source, transaction_id, global_position) VALUES (:source, :transaction, "
                     ":position) ON CONFLICT (source) DO UPDATE SET transaction_id = "
                     "excluded.transaction_id, global_position = excluded.global_position",
        soci::use(source, "source"), soci::use(transaction, "transaction"),
        soci::use(position, "position");
    if (own) own->commit();
}

void PgOrderViewRebuild::hand_over_to_live_feed() {
    const OrderViewTables live;
    const auto shadow = OrderViewTables::shadow();
    *session_ << "DELETE FROM " + shadow.offsets;
    *session_ << "INSERT INTO " + shadow.offsets +
                     " (topic, partition, next_offset) SELECT topic, "
                     "partition, next_offset FROM " +
                     live.offsets;
    *session_ << "INSERT INTO " + shadow.summaries + " (" + kSummaryColumns + ") SELECT " +
                     kSummaryColumns + " FROM " + live.summaries +
                     " AS l WHERE NOT EXISTS (SELECT 1 FROM " + shadow.summaries +
                     " AS s WHERE s.order_id = l.order_id)";
}

void PgOrderViewRebuild::apply_changes(const std::vector<OrderViewChange>& changes) {
    const auto shadow = OrderViewTables::shadow();
    // 1. History rows; a change whose event is already stored changes nothing else (as live).
    const auto inserted = insert_history(*session_, shadow, changes);
    std::vector<const OrderViewChange*> fresh;
    std::set<std::string> seen;
    for (const auto& change : changes) {
        if (change.history && (!inserted.contains(change.history->event_id) ||
                               !seen.insert(change.history->event_id).second)) {
            continue;
        }
        fresh.push_back(&change);
    }
    // 2-4. The summaries those changes touch, folded in memory, written back in one statement.
    std::set<std::string> order_ids;
    for (const auto* change : fresh) order_ids.insert(change->order_id);
    auto rows = load_summaries(*session_, shadow, order_ids);
    for (const auto* change : fresh) {
        const auto found = rows.find(change->order_id);
        auto before = found == rows.end() ? std::nullopt : std::optional(found->second);
        rows[change->order_id] = fold_summary(std::move(before), *change);
    }
    upsert_summaries(*session_, shadow, rows);
}

void PgOrderViewRebuild::lock_live() {
    swap_transaction_ = std::make_unique<soci::transaction>(*session_);
    const OrderViewTables live;
    // EXCLUSIVE blocks writers (the live projector waits, then writes to whatever table
    // holds the live name after the swap) but not plain SELECTs.
    *session_ << "LOCK TABLE " + live.summaries + ", " + live.history + ", " + live.offsets +
                     " IN EXCLUSIVE MODE";
}

std::vector<std::string> PgOrderViewRebuild::differences(std::size_t limit) {
    const OrderViewTables live;
    const auto shadow = OrderViewTables::shadow();
    std::vector<std::string> found;
    const auto compare = [&](const std::string& label, const std::string& columns,
                             const std::string& left, const std::string& right) {
        if (found.size() >= limit) return;
        const long long remaining = static_cast<long long>(limit - found.size());
        soci::rowset<std::string> rows =
            (session_->prepare << "SELECT CAST(d AS text) FROM (SELECT " + columns + " FROM " +
                                      left + " EXCEPT SELECT " + columns + " FROM " + right +
                                      ") AS d LIMIT :remaining",
             soci::use(remaining, "remaining"));
        // Named by the live table either way: the shadow is an implementation detail.
        const auto& table = left.ends_with("_shadow") ? right : left;
        for (const auto& row : rows) found.push_back(label + " " + table + ": " + row);
    };
    compare("live only", kSummaryColumns, live.summaries, shadow.summaries);
    compare("rebuilt only", kSummaryColumns, shadow.summaries, live.summaries);
    compare("live only", kHistoryColumns, live.history, shadow.history);
    compare("rebuilt only", kHistoryColumns, shadow.history, live.history);
    return found;
}

void PgOrderViewRebuild::swap() {
    replace_order_view_tables(*session_, OrderViewTables{}, OrderViewTables::shadow());
    drop_store_position(*session_);
    swap_transaction_->commit();
    swap_transaction_.reset();
}

void PgOrderViewRebuild::discard() {
    if (swap_transaction_) {
        swap_transaction_->rollback();
        swap_transaction_.reset();
    }
    drop_order_view_tables(*session_, OrderViewTables::shadow());
    drop_store_position(*session_);
}

}  // namespace ordersource::gateway
