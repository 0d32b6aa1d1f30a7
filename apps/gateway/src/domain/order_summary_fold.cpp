#include "domain/order_summary_fold.hpp"

#include "ordersource/contracts/envelope.hpp"

namespace ordersource::gateway {
namespace {

std::string normalised_time(std::string text) {
    if (contracts::is_canonical_rfc3339_millis(text)) return text;  // nearly always
    const auto millis = contracts::parse_rfc3339_millis(text);
    return millis ? contracts::format_rfc3339_millis(*millis) : text;
}

}  // namespace

SummaryRow fold_summary(std::optional<SummaryRow> before, const OrderViewChange& change) {
    SummaryRow row;
    const auto& created_at = change.created_at.value_or(change.occurred_at);
    if (before) {
        row = std::move(*before);
        row.created_at = std::min(row.created_at, created_at);
    } else {
        row.order_id = change.order_id;
        row.created_at = created_at;
        row.updated_at = change.occurred_at;
    }
    if (change.details) {
        row.customer_id = change.details->customer_id;
        row.currency = change.details->currency;
        row.total = change.details->total;
        row.items_json = change.details->items_json;
        row.item_count = change.details->item_count;
    }
    // Only a later event of the order's stream moves the status (redelivered or late older
    // events do not), and only then is the row "updated".
    if (change.status && row.status_version < change.status->version) {
        row.status = change.status->status;
        row.cancellation_reason = change.status->cancellation_reason;
        if (row.cancellation_reason && row.cancellation_reason->empty()) {
            row.cancellation_reason.reset();
        }
        row.status_version = change.status->version;
        row.updated_at = std::max(row.updated_at, change.occurred_at);
    }
    return row;
}

OrderViewChange with_normalised_times(OrderViewChange change) {
    change.occurred_at = normalised_time(std::move(change.occurred_at));
    if (change.created_at) change.created_at = normalised_time(std::move(*change.created_at));
    if (change.history) {
        change.history->occurred_at = normalised_time(std::move(change.history->occurred_at));
    }
    return change;
}

std::vector<const OrderViewChange*> unseen_changes(
    const std::vector<OrderViewChange>& changes,
    const std::unordered_set<std::string_view>& new_event_ids) {
    std::vector<const OrderViewChange*> unseen;
    unseen.reserve(changes.size());
    std::unordered_set<std::string_view> taken;
    taken.reserve(changes.size());
    for (const auto& change : changes) {
        if (change.history && (!new_event_ids.contains(change.history->event_id) ||
                               !taken.insert(change.history->event_id).second)) {
            continue;
        }
        unseen.push_back(&change);
    }
    return unseen;
}

std::unordered_set<std::string_view> touched_orders(
    const std::vector<const OrderViewChange*>& changes) {
    std::unordered_set<std::string_view> orders;
    for (const auto* change : changes) orders.insert(change->order_id);
    return orders;
}

std::unordered_set<std::string_view> orders_starting_in(
    const std::vector<const OrderViewChange*>& changes) {
    std::unordered_set<std::string_view> orders;
    for (const auto* change : changes) {
        if (change->history && change->history->version == 1) orders.insert(change->order_id);
    }
    return orders;
}

void fold_summaries(std::map<std::string, SummaryRow>& rows,
                    const std::vector<const OrderViewChange*>& changes) {
    for (const auto* change : changes) {
        const auto found = rows.find(change->order_id);
        if (found == rows.end()) {
            rows.emplace(change->order_id, fold_summary(std::nullopt, *change));
        } else {
            found->second = fold_summary(std::move(found->second), *change);
        }
    }
}

}  // namespace ordersource::gateway
