#pragma once
// A feed of order-view changes with what a real feed does to a projection: OrderCreated and
// OrderAccepted arriving in either order (two topics), redeliveries of the same event within
// a batch and across batches, status events older than the status already shown, and a v1
// OrderAccepted without the creation time. For tests that compare ways of applying it.

#include <cstdint>
#include <string>
#include <vector>

#include "domain/order_view.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/core/ids.hpp"

namespace ordersource::testing {

struct FeedEvent {
    gateway::OrderViewChange change;
    std::string topic;  // order-created or order-events, as the gateway reads them
};

class OrderViewFeed {
  public:
    // `orders` orders, order n placed n seconds after 2026-11-24T00:00:00Z.
    explicit OrderViewFeed(int orders) {
        for (int n = 0; n < orders; ++n) add_order(n);
    }

    const std::vector<FeedEvent>& events() const { return events_; }
    std::vector<gateway::OrderViewChange> changes() const {
        std::vector<gateway::OrderViewChange> changes;
        for (const auto& event : events_) changes.push_back(event.change);
        return changes;
    }
    const std::vector<std::string>& order_ids() const { return order_ids_; }

    // Status of order `n` once the whole feed is applied.
    static std::string final_status(int n) {
        switch (n % 4) {
            case 1:
                return "REFUNDED";
            case 2:
                return "CANCELLED";
            default:
                return "CONFIRMED";
        }
    }
    static std::string created_at(int n) { return at(n, 0); }

  private:
    static std::string at(int n, int step) {
        return contracts::format_rfc3339_millis(1795478400000LL + n * 1000LL + step * 10LL);
    }

    gateway::OrderViewChange change(const std::string& order_id,
                                    const std::string& type,
                                    std::int64_t version,
                                    int schema_version,
                                    const std::string& occurred_at,
                                    const std::string& extra,
                                    const std::string& event_id) {
        const auto parsed = gateway::view_change(
            {.event_id = event_id,
             .type = type,
             .schema_version = schema_version,
             .stream_id = "order-" + order_id,
             .stream_version = version,
             .occurred_at = occurred_at,
             .correlation_id = order_id,
             .causation_id = "",
             .payload_json = R"({"orderId":")" + order_id + R"(")" + extra + "}"});
        return *parsed;
    }

    void add(gateway::OrderViewChange change, const std::string& topic) {
        events_.push_back({std::move(change), topic});
    }

    void add_order(int n) {
        const auto order_id = core::new_uuid();
        order_ids_.push_back(order_id);
        const std::string details = R"(,"customerId":"c-)" + std::to_string(n % 3) +
                                    R"(","currency":"USD","items":[{"sku":"S","quantity":)" +
                                    std::to_string(n + 1) +
                                    R"(,"unitPrice":"1.50"}],"total":"1.50")";
        const auto created =
            change(order_id, "OrderCreated", 0, 1, at(n, 0), details, core::new_uuid());
        // v2 carries the creation time; every fourth order's is a v1 without it.
        const auto accepted =
            n % 4 == 3
                ? change(order_id, "OrderAccepted", 1, 1, at(n, 1), details, core::new_uuid())
                : change(order_id, "OrderAccepted", 1, 2, at(n, 1),
                         details + R"(,"createdAt":")" + at(n, 0) + "\"", core::new_uuid());
        const auto requested =
            change(order_id, "PaymentRequested", 2, 1, at(n, 2),
                   R"(,"customerId":"c-1","amount":"1.50","currency":"USD")", core::new_uuid());
        switch (n % 4) {
            case 0: {  // accepted before created arrives; confirmed twice (a redelivery)
                const auto confirmed =
                    change(order_id, "OrderConfirmed", 3, 1, at(n, 3), "", core::new_uuid());
                add(accepted, "order-events");
                add(created, "order-created");
                add(requested, "order-events");
                add(confirmed, "order-events");
                add(confirmed, "order-events");
                break;
            }
            case 1: {  // refunded arrives before the cancellation it follows
                const auto cancelled = change(order_id, "OrderCancelled", 3, 1, at(n, 3),
                                              R"(,"reason":"TIMEOUT")", core::new_uuid());
                add(created, "order-created");
                add(accepted, "order-events");
                add(requested, "order-events");
                add(change(order_id, "RefundRequested", 4, 1, at(n, 4),
                           R"(,"customerId":"c-1","amount":"1.50","currency":"USD")",
                           core::new_uuid()),
                    "order-events");
                add(change(order_id, "OrderRefunded", 5, 1, at(n, 5), "", core::new_uuid()),
                    "order-events");
                add(cancelled, "order-events");
                break;
            }
            case 2: {  // declined; the whole stream redelivered, OrderCreated too
                const auto cancelled = change(order_id, "OrderCancelled", 3, 1, at(n, 3),
                                              R"(,"reason":"PAYMENT_DECLINED")", core::new_uuid());
                for (int repeat = 0; repeat < 2; ++repeat) {
                    add(created, "order-created");
                    add(accepted, "order-events");
                    add(requested, "order-events");
                    add(cancelled, "order-events");
                }
                break;
            }
            default: {  // v1 accepted: the creation time only OrderCreated gives
                add(accepted, "order-events");
                add(requested, "order-events");
                add(change(order_id, "OrderConfirmed", 3, 1, at(n, 3), "", core::new_uuid()),
                    "order-events");
                add(created, "order-created");
                break;
            }
        }
    }

    std::vector<FeedEvent> events_;
    std::vector<std::string> order_ids_;
};

}  // namespace ordersource::testing
