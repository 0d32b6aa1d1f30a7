#pragma once
// The observer's use case: record and log one notification per customer-facing event.

#include <vector>

#include "adapters/pg_notification_store.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::notifier {

class NotificationRecorder {
  public:
    explicit NotificationRecorder(PgNotificationStore& store) : store_(store) {}

    // The consumer's batch handler: every delivery of the poll in one transaction. Throws when
    // the database is unreachable (the consume loop offers the batch again; the store absorbs
    // the repeat by event id).
    std::vector<messaging::HandleOutcome> handle(const std::vector<messaging::Delivery>& batch);

  private:
    PgNotificationStore& store_;
};

}  // namespace ordersource::notifier
