#include "adapters/pg_notification_store.hpp"

#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

namespace ordersource::notifier {
namespace {

constexpr const char* kMigrate = R"sql(
CREATE TABLE IF NOT EXISTS notifier_order_owners (
    order_id    uuid PRIMARY KEY,
    customer_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    event_id    uuid PRIMARY KEY,
    order_id    uuid NOT NULL,
    kind        text NOT NULL,
    message     text NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS notifications_by_order ON notifications (order_id, occurred_at, event_id);
)sql";

}  // namespace

PgNotificationStore::PgNotificationStore(const pg::ConnectionSettings& settings,
                                         std::size_t pool_size)
    : pool_(std::make_unique<soci::connection_pool>(pool_size)), pool_size_(pool_size) {
    for (std::size_t i = 0; i < pool_size; ++i) {
        pool_->at(i).open(*soci::factory_postgresql(), settings.connection_string());
    }
    soci::session sql(*pool_);
    sql << "SET client_min_messages = warning";
    soci::transaction migration(sql);
    // Two instances creating the same table at once can fail on the catalog; take turns.
    sql << "SELECT pg_advisory_xact_lock(hashtext('notification-observer schema'))";
    sql << kMigrate;
    migration.commit();
}

PgNotificationStore::~PgNotificationStore() = default;

bool PgNotificationStore::record(const Observation& observation) {
    soci::session sql(*pool_);
    soci::transaction transaction(sql);
    if (observation.owner) {
        sql << "INSERT INTO notifier_order_owners (order_id, customer_id) VALUES (CAST(:order AS "
               "uuid), :customer) "
               "ON CONFLICT (order_id) DO NOTHING",
            soci::use(observation.owner->order_id, "order"),
            soci::use(observation.owner->customer_id, "customer");
    }
    bool inserted = false;
    if (const auto& notification = observation.notification) {
        soci::statement insert =
            (sql.prepare
                 << "INSERT INTO notifications (event_id, order_id, kind, message, occurred_at) "
                    "VALUES (CAST(:event AS uuid), CAST(:order AS uuid), :kind, :message, "
                    "CAST(:occurred AS timestamptz)) ON CONFLICT (event_id) DO NOTHING",
             soci::use(notification->event_id, "event"), soci::use(notification->order_id, "order"),
             soci::use(notification->kind, "kind"), soci::use(notification->message, "message"),
             soci::use(notification->occurred_at, "occurred"));
        insert.execute(true);
        inserted = insert.get_affected_rows() == 1;
    }
    transaction.commit();
    return inserted;
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
