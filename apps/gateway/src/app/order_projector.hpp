#pragma once
// Feeds the gateway's order read model from order-created and order-events.

#include <vector>

#include "app/ports.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::gateway {

class OrderProjector {
  public:
    explicit OrderProjector(OrderViewWriter& store) : store_(store) {}

    // The consumer's batch handler: every delivery of the poll in one transaction. Throws
    // when the database is unreachable (the consume loop offers the batch again; the store
    // absorbs the repeat by event id).
    std::vector<messaging::HandleOutcome> handle(const std::vector<messaging::Delivery>& batch) {
        std::vector<FeedChange> changes;
        changes.reserve(batch.size());
        for (const auto& delivery : batch) {
            const auto& record = delivery.record;
            changes.push_back({view_change(delivery.envelope),
                               FeedPosition{record.topic, record.partition, record.offset}});
        }
        store_.apply(changes);
        return std::vector<messaging::HandleOutcome>(batch.size(), messaging::Handled{});
    }

  private:
    OrderViewWriter& store_;
};

}  // namespace ordersource::gateway
