#include "domain/notification.hpp"

#include <rapidjson/document.h>

#include <map>
#include <utility>

#include "ordersource/contracts/pooled_json.hpp"

namespace ordersource::notifier {
namespace {

std::string string_field(const rapidjson::Value& payload, const char* name) {
    const auto it = payload.FindMember(name);
    return it != payload.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : std::string();
}

std::string cancellation_message(const std::string& reason) {
    if (reason == "PAYMENT_DECLINED") return "Your order was cancelled: the payment was declined.";
    if (reason == "TIMEOUT") return "Your order was cancelled: the payment did not arrive in time.";
    return "Your order was cancelled.";
}

}  // namespace

Observation observe(const contracts::Envelope& envelope) {
    const contracts::PooledJson parsed(envelope.payload_json);
    if (!parsed.parsed() || !parsed.value().IsObject()) return {};
    const auto& payload = parsed.value();
    const auto order_id = string_field(payload, "orderId");
    if (order_id.empty()) return {};

    Observation observation;
    const auto customer_id = string_field(payload, "customerId");
    if (!customer_id.empty() &&
        (envelope.type == "OrderCreated" || envelope.type == "OrderAccepted")) {
        observation.owner = OrderOwner{order_id, customer_id};
    }
    const auto notify = [&](std::string kind, std::string message) {
        observation.notification = Notification{envelope.event_id, order_id, std::move(kind),
                                                std::move(message), envelope.occurred_at};
    };
    if (envelope.type == "OrderAccepted") {
        notify("ACCEPTED", "We received your order " + order_id + " and are taking payment.");
    } else if (envelope.type == "OrderConfirmed") {
        notify("CONFIRMED", "Your order " + order_id + " is confirmed: payment received.");
    } else if (envelope.type == "OrderCancelled") {
        notify("CANCELLED", cancellation_message(string_field(payload, "reason")));
    } else if (envelope.type == "OrderRefunded") {
        notify("REFUNDED", "Your payment for order " + order_id + " was refunded.");
    }
    return observation;
}

ObservationBatch batch_of(const std::vector<Observation>& observations) {
    std::map<std::string, const OrderOwner*> owners;
    std::map<std::pair<std::string, std::string>, const Notification*> notifications;
    for (const auto& observation : observations) {
        if (observation.owner) owners.emplace(observation.owner->order_id, &*observation.owner);
        if (observation.notification) {
            const auto& notification = *observation.notification;
            notifications.emplace(std::pair(notification.order_id, notification.event_id),
                                  &notification);
        }
    }
    ObservationBatch batch;
    for (const auto& [id, owner] : owners) batch.owners.push_back(*owner);
    for (const auto& [id, notification] : notifications) {
        batch.notifications.push_back(*notification);
    }
    return batch;
}

}  // namespace ordersource::notifier
