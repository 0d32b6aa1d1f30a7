#pragma once
// Notifications in the observer's own PostgreSQL database. One per event id, ever: a
// redelivered or re-produced event inserts nothing (docs/adr/0007).

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "domain/notification.hpp"
#include "ordersource/pg/connection.hpp"

namespace soci {
class connection_pool;
}

namespace ordersource::notifier {

struct StoredNotification {
    Notification notification;
    std::string customer_id;  // empty when the order's owner was not seen (yet)
};

class PgNotificationStore {
  public:
    // Connects and creates the tables if missing (serialised by an advisory lock, so several
    // instances may start at once), in `schema` if one is named (created if missing; tests use
    // their own), else in the search path's first. Throws on connection or migration failure.
    PgNotificationStore(const pg::ConnectionSettings& settings,
                        std::size_t pool_size,
                        const std::string& schema = {});
    ~PgNotificationStore();
    PgNotificationStore(const PgNotificationStore&) = delete;
    PgNotificationStore& operator=(const PgNotificationStore&) = delete;

    // Stores what a batch of events taught, in one transaction. Returns the event ids whose
    // notification was newly recorded (not those recorded before: a redelivery stores
    // nothing). Throws on failure.
    std::set<std::string> record(const std::vector<Observation>& observations);

    // The order's notifications, oldest first.
    std::vector<StoredNotification> for_order(const std::string& order_id);

    // A round trip, for readiness.
    void ping();

  private:
    std::unique_ptr<soci::connection_pool> pool_;
    std::size_t pool_size_;
};

}  // namespace ordersource::notifier
