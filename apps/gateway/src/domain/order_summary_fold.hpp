#pragma once
// What applying changes one by one does to an order's summary row, as a pure fold, so the
// replay tool can apply a whole batch with a few statements and still produce exactly the
// rows the live projector's per-event SQL produces (the e2e verify runs compare the two).

#include <cstdint>
#include <optional>
#include <string>

#include "domain/order_view.hpp"

namespace ordersource::gateway {

// One order_summaries row; times are RFC 3339 UTC with milliseconds, so they order as text.
struct SummaryRow {
    std::string order_id;
    std::string customer_id;
    std::string status = "PENDING";
    std::optional<std::string> cancellation_reason;
    std::string currency;
    std::string total = "0.00";
    std::string items_json = "[]";
    int item_count = 0;
    std::string created_at;
    std::string updated_at;
    std::int64_t status_version = -1;
};

// The row after `change` (an event not seen before), from the row before it, if any.
SummaryRow fold_summary(std::optional<SummaryRow> row, const OrderViewChange& change);

}  // namespace ordersource::gateway
