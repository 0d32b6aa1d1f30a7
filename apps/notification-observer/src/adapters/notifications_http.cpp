#include "adapters/notifications_http.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ordersource/core/ids.hpp"

namespace ordersource::notifier {

void add_notification_routes(http::Server& server, PgNotificationStore& store) {
    server.route("GET", "/notifications", [&store](const http::Request& request) {
        const auto order_id = request.query_param("orderId");
        if (!order_id || !core::is_uuid(*order_id)) {
            return http::problem_response(400, "invalid-parameter", "Invalid parameter",
                                          "orderId must be an order id (a UUID)",
                                          {{"orderId", order_id ? "not a UUID" : "required"}});
        }
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writer.StartArray();
        for (const auto& stored : store.for_order(std::string(*order_id))) {
            const auto& n = stored.notification;
            writer.StartObject();
            writer.Key("eventId");
            writer.String(n.event_id);
            writer.Key("orderId");
            writer.String(n.order_id);
            writer.Key("customerId");
            if (stored.customer_id.empty()) {
                writer.Null();
            } else {
                writer.String(stored.customer_id);
            }
            writer.Key("kind");
            writer.String(n.kind);
            writer.Key("message");
            writer.String(n.message);
            writer.Key("occurredAt");
            writer.String(n.occurred_at);
            writer.EndObject();
        }
        writer.EndArray();
        return http::json_response(200, std::string(buffer.GetString(), buffer.GetSize()));
    });
}

}  // namespace ordersource::notifier
