#pragma once
// Which events a customer hears about, and what they are told: pure, no I/O.

#include <optional>
#include <string>

#include "ordersource/contracts/envelope.hpp"

namespace ordersource::notifier {

struct Notification {
    std::string event_id;
    std::string order_id;
    std::string kind;  // ACCEPTED | CONFIRMED | CANCELLED | REFUNDED
    std::string message;
    std::string occurred_at;  // RFC 3339, from the event
};

// What an event teaches about an order whatever its kind: whose it is (OrderCreated and
// OrderAccepted carry the customer; later events only the order id).
struct OrderOwner {
    std::string order_id;
    std::string customer_id;
};

struct Observation {
    std::optional<OrderOwner> owner;
    std::optional<Notification> notification;
};

// nullopt fields when the event is none of the above (or its payload does not fit).
Observation observe(const contracts::Envelope& envelope);

}  // namespace ordersource::notifier
