#pragma once
// What applying changes one by one does to an order's summary row, as a pure fold, so the
// replay tool can apply a whole batch with a few statements and still produce exactly the
// rows the live projector's per-event SQL produces (the e2e verify runs compare the two).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

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

    bool operator==(const SummaryRow&) const = default;
};

// The row after `change` (an event not seen before), from the row before it, if any.
SummaryRow fold_summary(std::optional<SummaryRow> row, const OrderViewChange& change);

// The change with its times in the form the fold compares as text (RFC 3339 UTC with
// milliseconds, which orders like timestamptz); applied to every change before it is stored.
OrderViewChange with_normalised_times(OrderViewChange change);

// What of a batch is to be folded, in batch order: every change without a history entry
// (OrderCreated: applying it again changes nothing) and the first change of each event id
// that storing the batch's history rows added (`new_event_ids`); the rest was applied before.
std::vector<const OrderViewChange*> unseen_changes(
    const std::vector<OrderViewChange>& changes,
    const std::unordered_set<std::string_view>& new_event_ids);

// The orders those changes touch (views of their ids).
std::unordered_set<std::string_view> touched_orders(
    const std::vector<const OrderViewChange*>& changes);

// The orders whose stream starts among those changes (an event of stream version 1).
std::unordered_set<std::string_view> orders_starting_in(
    const std::vector<const OrderViewChange*>& changes);

// Folds the changes in order onto `rows` (the touched orders' rows before the batch, by order
// id; an order without a row has none yet): exactly what applying them one by one gives.
void fold_summaries(std::map<std::string, SummaryRow>& rows,
                    const std::vector<const OrderViewChange*>& changes);

}  // namespace ordersource::gateway
