#include "domain/order_summary_fold.hpp"

namespace ordersource::gateway {

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

}  // namespace ordersource::gateway
