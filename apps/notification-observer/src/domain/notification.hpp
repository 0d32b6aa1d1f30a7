#pragma once
// Which events a customer hears about, and what they are told: pure, no I/O.

#include <optional>
#include <string>
#include <vector>

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

// What a batch of observations stores: each order's owner and each event's notification once
// (the first seen), ordered by order id and event id, so writers whose batches overlap take
// the rows' locks in one order and never deadlock.
struct ObservationBatch {
    std::vector<OrderOwner> owners;
    std::vector<Notification> notifications;
};

ObservationBatch batch_of(const std::vector<Observation>& observations);

}  // namespace ordersource::notifier
