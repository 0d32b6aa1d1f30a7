#include "adapters/pg_notification_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "ordersource/pg/primary_key.hpp"

namespace ordersource::notifier {
namespace {

// The key is (order_id, event_id): an event belongs to one order, so it is as unique as the
// event id alone, and an order's notifications are one range of it - one random-uuid index
// per row instead of two. Tables made before ADR 27 are keyed by event_id, with the order in
// a second index; they are rekeyed after it (docs/adr/0027-notifications-keyed-by-order.md).
constexpr const char* kMigrate = R"sql(
CREATE TABLE IF NOT EXISTS notifier_order_owners (
    order_id    uuid PRIMARY KEY,
    customer_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    event_id    uuid NOT NULL,
    order_id    uuid NOT NULL,
    kind        text NOT NULL,
    message     text NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, event_id)
);
)sql";

// A batch in one statement each, keys in order (ObservationBatch). A row already stored, by
// this batch's earlier delivery or by another instance, is left as it is.
constexpr const char* kRecordOwners = R"sql(
INSERT INTO notifier_order_owners (order_id, customer_id)
SELECT CAST(o AS uuid), c FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(o text, c text)
ON CONFLICT (order_id) DO NOTHING)sql";

constexpr const char* kRecordNotifications = R"sql(
INSERT INTO notifications (event_id, order_id, kind, message, occurred_at)
SELECT CAST(e AS uuid), CAST(o AS uuid), k, m, CAST(a AS timestamptz)
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(e text, o text, k text, m text, a text)
ON CONFLICT (order_id, event_id) DO NOTHING
RETURNING CAST(event_id AS text))sql";

}  // namespace

PgNotificationStore::PgNotificationStore(const pg::ConnectionSettings& settings,
                                         std::size_t pool_size,
                                         const std::string& schema)
    : pool_(std::make_unique<soci::connection_pool>(pool_size)), pool_size_(pool_size) {
    for (std::size_t i = 0; i < pool_size; ++i) {
        auto& session = pool_->at(i);
        session.open(*soci::factory_postgresql(), settings.connection_string());
        if (!schema.empty()) pg::use_schema(session, schema);
    }
    soci::session sql(*pool_);
    sql << "SET client_min_messages = warning";
    soci::transaction migration(sql);
    // Two instances creating the same table at once can fail on the catalog; take turns.
    sql << "SELECT pg_advisory_xact_lock(hashtext('notification-observer schema'))";
    sql << kMigrate;
    sql << pg::ensure_primary_key_sql("notifications", "order_id, event_id");
    sql << "DROP INDEX IF EXISTS notifications_by_order";
    migration.commit();
}

PgNotificationStore::~PgNotificationStore() = default;

std::set<std::string> PgNotificationStore::record(const std::vector<Observation>& observations) {
    const auto batch = batch_of(observations);
    std::set<std::string> recorded;
    if (batch.owners.empty() && batch.notifications.empty()) return recorded;
    soci::session sql(*pool_);
    soci::transaction transaction(sql);
    if (!batch.owners.empty()) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writer.StartArray();
        for (const auto& owner : batch.owners) {
            writer.StartObject();
            writer.Key("o");
            writer.String(owner.order_id);
            writer.Key("c");
            writer.String(owner.customer_id);
            writer.EndObject();
        }
        writer.EndArray();
        const std::string rows(buffer.GetString(), buffer.GetSize());
        sql << kRecordOwners, soci::use(rows, "rows");
    }
    if (!batch.notifications.empty()) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writer.StartArray();
        for (const auto& notification : batch.notifications) {
            writer.StartObject();
            writer.Key("e");
            writer.String(notification.event_id);
            writer.Key("o");
            writer.String(notification.order_id);
            writer.Key("k");
            writer.String(notification.kind);
            writer.Key("m");
            writer.String(notification.message);
            writer.Key("a");
            writer.String(notification.occurred_at);
            writer.EndObject();
        }
        writer.EndArray();
        const std::string rows(buffer.GetString(), buffer.GetSize());
        soci::rowset<std::string> inserted =
            (sql.prepare << kRecordNotifications, soci::use(rows, "rows"));
        for (const auto& event_id : inserted) recorded.insert(event_id);
    }
    transaction.commit();
    return recorded;
}

std::vector<StoredNotification> PgNotificationStore::for_order(const std::string& order_id) {
    soci::session sql(*pool_);
    soci::rowset<soci::row> rows =
        (sql.prepare
             << "SELECT CAST(n.event_id AS text), CAST(n.order_id AS text), n.kind, n.message, "
                "to_char(n.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                "coalesce(o.customer_id, '') "
                "FROM notifications n LEFT JOIN notifier_order_owners o ON o.order_id = n.order_id "
                "WHERE n.order_id = CAST(:order AS uuid) ORDER BY n.occurred_at, n.event_id",
         soci::use(order_id, "order"));
    std::vector<StoredNotification> result;
    for (const auto& row : rows) {
        result.push_back(
            {{row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2),
              row.get<std::string>(3), row.get<std::string>(4)},
             row.get<std::string>(5)});
    }
    return result;
}

void PgNotificationStore::ping() {
    soci::session sql(*pool_);
    int one = 0;
    sql << "SELECT 1", soci::into(one);
}

}  // namespace ordersource::notifier
