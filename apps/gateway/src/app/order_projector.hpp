#pragma once
// Feeds the gateway's order read model from order-created and order-events.

#include "app/ports.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::gateway {

class OrderProjector {
  public:
    explicit OrderProjector(OrderViewWriter& store) : store_(store) {}

    // The consumer's handler; throws when the database is unreachable.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope,
                                    const kafka::Record& record) {
        store_.apply(view_change(envelope),
                     FeedPosition{record.topic, record.partition, record.offset});
        return messaging::Handled{};
    }

  private:
    OrderViewWriter& store_;
};

}  // namespace ordersource::gateway
