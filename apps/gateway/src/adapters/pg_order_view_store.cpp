#include "adapters/pg_order_view_store.hpp"

#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "adapters/order_view_tables.hpp"
#include "adapters/summary_cache.hpp"

namespace ordersource::gateway {
namespace {

// One keyset page, newest first. Absent filters are passed as '' or -1 (no NULL binding);
// each value is bound under two names because it appears twice;
// SOCI sends this as an unnamed statement, which PostgreSQL plans with the actual values, so
// the disabled conditions fold away and the matching index is used.
constexpr const char* kListPage = R"sql(
SELECT CAST(order_id AS text), customer_id, status, COALESCE(cancellation_reason, ''), currency,
       total, item_count, %s, %s,
       CAST((extract(epoch FROM created_at) * 1000000) AS bigint)
FROM order_summaries
WHERE (:customer1 = '' OR customer_id = :customer2)
  AND (:status1 = '' OR status = :status2)
  AND (CAST(:from1 AS bigint) < 0 OR created_at >= timestamptz 'epoch' + CAST(:from2 AS bigint) * interval '1 microsecond')
  AND (CAST(:to1 AS bigint) < 0 OR created_at < timestamptz 'epoch' + CAST(:to2 AS bigint) * interval '1 microsecond')
  AND (CAST(:after1 AS bigint) < 0 OR (created_at, order_id) <
       (timestamptz 'epoch' + CAST(:after2 AS bigint) * interval '1 microsecond', CAST(:after_id AS uuid)))
ORDER BY created_at DESC, order_id DESC
LIMIT :fetch)sql";

constexpr const char* kTimestamp =
    "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

std::string utc_text(const char* column) {
    char text[160];
    std::snprintf(text, sizeof(text), kTimestamp, column);
    return text;
}

}  // namespace

PgOrderViewStore::PgOrderViewStore(const pg::ConnectionSettings& settings,
                                   std::size_t pool_size,
                                   const std::string& schema,
                                   std::size_t cached_summaries)
    : pool_(std::make_unique<soci::connection_pool>(pool_size)),
      cache_(cached_summaries > 0 ? std::make_unique<SummaryCache>(cached_summaries) : nullptr) {
    for (std::size_t i = 0; i < pool_size; ++i) {
        auto& session = pool_->at(i);
        session.open(*soci::factory_postgresql(), settings.connection_string());
        if (!schema.empty()) pg::use_schema(session, schema);
    }
    soci::session sql(*pool_);
    sql << "SET client_min_messages = warning";
    soci::transaction migration(sql);
    sql << "SELECT pg_advisory_xact_lock(hashtext('gateway order views'))";
    create_order_view_tables(sql, OrderViewTables{});
    migration.commit();
}

PgOrderViewStore::~PgOrderViewStore() = default;

void PgOrderViewStore::apply(const std::vector<FeedChange>& batch) {
    const std::lock_guard lock(applying_);
    soci::session sql(*pool_);
    try {
        soci::transaction transaction(sql);
        apply_feed_batch(sql, OrderViewTables{}, batch, WritePath::kIdempotent, cache_.get());
        transaction.commit();
    } catch (...) {
        if (cache_) cache_->discard_staged();
        throw;
    }
    if (cache_) cache_->commit_staged();
}

std::size_t PgOrderViewStore::cached_summaries() const {
    const std::lock_guard lock(applying_);
    return cache_ ? cache_->size() : 0;
}

void PgOrderViewStore::ping() {
    soci::session sql(*pool_);
    int one = 0;
    sql << "SELECT 1", soci::into(one);
}

std::optional<OrderView> PgOrderViewStore::find(const std::string& order_id) {
    soci::session sql(*pool_);
    OrderView view;
    soci::indicator reason_indicator = soci::i_null;
    std::string reason;
    sql << "SELECT CAST(order_id AS text), customer_id, status, cancellation_reason, currency, "
           "total, "
           "CAST(items AS text) FROM order_summaries WHERE order_id = CAST(:order AS uuid)",
        soci::use(order_id, "order"), soci::into(view.order_id), soci::into(view.customer_id),
        soci::into(view.status), soci::into(reason, reason_indicator), soci::into(view.currency),
        soci::into(view.total), soci::into(view.items_json);
    if (!sql.got_data()) return std::nullopt;
    if (reason_indicator == soci::i_ok) view.cancellation_reason = reason;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT CAST(event_id AS text), type, version, " + utc_text("occurred_at") +
                            ", COALESCE(status, ''), COALESCE(cancellation_reason, '') FROM "
                            "order_history WHERE order_id = CAST(:order AS uuid) ORDER BY version",
         soci::use(order_id, "order"));
    const auto non_empty = [](std::string text) {
        return text.empty() ? std::nullopt : std::optional<std::string>(std::move(text));
    };
    for (const auto& row : rows) {
        view.history.push_back({row.get<std::string>(0), row.get<std::string>(1),
                                row.get<long long>(2), row.get<std::string>(3),
                                non_empty(row.get<std::string>(4)),
                                non_empty(row.get<std::string>(5))});
    }
    return view;
}

OrderPage PgOrderViewStore::list(const OrderListQuery& query) {
    static const std::string statement = [] {
        char text[2048];
        std::snprintf(text, sizeof(text), kListPage, utc_text("created_at").c_str(),
                      utc_text("updated_at").c_str());
        return std::string(text);
    }();
    const std::string customer = query.customer_id.value_or("");
    const std::string status = query.status.value_or("");
    const long long from_us = query.from_micros.value_or(-1);
    const long long to_us = query.to_micros.value_or(-1);
    const long long after_us = query.after ? query.after->created_at_micros : -1;
    const std::string after_id =
        query.after ? query.after->order_id : "00000000-0000-0000-0000-000000000000";
    const int fetch = query.limit + 1;  // one more tells whether there is a next page

    soci::session sql(*pool_);
    soci::rowset<soci::row> rows =
        (sql.prepare << statement, soci::use(customer, "customer1"),
         soci::use(customer, "customer2"), soci::use(status, "status1"),
         soci::use(status, "status2"), soci::use(from_us, "from1"), soci::use(from_us, "from2"),
         soci::use(to_us, "to1"), soci::use(to_us, "to2"), soci::use(after_us, "after1"),
         soci::use(after_us, "after2"), soci::use(after_id, "after_id"), soci::use(fetch, "fetch"));
    OrderPage page;
    for (const auto& row : rows) {
        if (static_cast<int>(page.items.size()) == query.limit) {
            const auto& last = page.items.back();
            page.next = PageCursor{last.created_at_micros, last.order_id};
            break;
        }
        const auto reason = row.get<std::string>(3);
        page.items.push_back(
            {row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2),
             reason.empty() ? std::nullopt : std::optional<std::string>(reason),
             row.get<std::string>(4), row.get<std::string>(5), row.get<int>(6),
             row.get<std::string>(7), row.get<std::string>(8), row.get<long long>(9)});
    }
    return page;
}

}  // namespace ordersource::gateway
