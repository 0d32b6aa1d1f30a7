#pragma once
// The observer's use case: record and log one notification per customer-facing event.

#include "adapters/pg_notification_store.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::notifier {

class NotificationRecorder {
  public:
    explicit NotificationRecorder(PgNotificationStore& store) : store_(store) {}

    // The consumer's handler; throws when the database is unreachable.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope);

  private:
    PgNotificationStore& store_;
};

}  // namespace ordersource::notifier
