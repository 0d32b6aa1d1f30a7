#pragma once
// The gateway's read model of an order, fed by events (order-created and order-events): what
// each event changes, as plain data. Pure; the store applies changes idempotently by event id
// and moves the status only forward in the order stream's version order.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ordersource/contracts/envelope.hpp"

namespace ordersource::gateway {

// What OrderCreated and OrderAccepted tell about an order (the same facts).
struct OrderDetails {
    std::string customer_id;
    std::string currency;
    std::string total;       // decimal string, as on the wire
    std::string items_json;  // the payload's items array, as on the wire
    int item_count = 0;
};

struct HistoryEntry {
    std::string event_id;
    std::string type;
    std::int64_t version = 0;  // in the order's stream; 0 for the gateway's OrderCreated
    std::string occurred_at;
    // What this event made the order's status, if anything (for time travel).
    std::optional<std::string> status;
    std::optional<std::string> cancellation_reason;
};

struct StatusChange {
    std::string status;  // PENDING | CONFIRMED | CANCELLED | REFUNDED
    std::optional<std::string> cancellation_reason;
    std::int64_t version = 0;
};

struct OrderViewChange {
    std::string order_id;
    std::string occurred_at;
    std::optional<OrderDetails> details;
    std::optional<HistoryEntry> history;  // only events of the order's own stream
    std::optional<StatusChange> status;
    // When the order was placed, if this event says (OrderCreated: its own time; OrderAccepted
    // v2: createdAt). The summary's created_at is the earliest of these (ADR 14).
    std::optional<std::string> created_at;
};

// nullopt for events that say nothing about an order's view (e.g. payment-events).
std::optional<OrderViewChange> view_change(const contracts::Envelope& envelope);

// The same for an envelope whose payload was not checked against its schema yet (one read
// from an event store): nullopt too for a payload a consumer would dead-letter. Parses the
// payload once for both.
std::optional<OrderViewChange> checked_view_change(const contracts::Envelope& envelope);

// The order as GET /orders/<id> shows it.
struct OrderView {
    std::string order_id;
    std::string customer_id;
    std::string status;
    std::optional<std::string> cancellation_reason;
    std::string currency;
    std::string total;
    std::string items_json;
    std::vector<HistoryEntry> history;
};

std::string to_json(const OrderView& view);

// The order as it was after the event with stream version `version` (its history replayed up
// to there); nullopt when the history has no such event.
std::optional<OrderView> as_of_version(const OrderView& current, std::int64_t version);

}  // namespace ordersource::gateway
