#pragma once
// An order's state after each event of its stream, by folding the order-service's own
// evolve over the stored events - the same fold the service runs before every decision.

#include <optional>
#include <string>
#include <vector>

#include "ordersource/eventstore/event_store.hpp"

namespace ordersource::replay {

struct TimelineStep {
    std::int64_t version = 0;
    std::string type;
    std::string status;
    std::optional<std::string> cancellation_reason;
    std::string recorded_at;
};

// Empty when the store has no stream for the order.
std::vector<TimelineStep> order_timeline(const eventstore::EventStore& store,
                                         const std::string& order_id);

// One line per step: "version  type  status [reason]  recorded-at".
std::string render(const std::vector<TimelineStep>& steps);

}  // namespace ordersource::replay
