#pragma once
// GET /notifications?orderId=<uuid> on the observer's HTTP server.

#include "adapters/pg_notification_store.hpp"
#include "ordersource/http/server.hpp"

namespace ordersource::notifier {

void add_notification_routes(http::Server& server, PgNotificationStore& store);

}  // namespace ordersource::notifier
