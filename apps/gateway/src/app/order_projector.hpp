#pragma once
// Feeds the gateway's order read model from order-created and order-events.

#include "app/ports.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"

namespace ordersource::gateway {

class OrderProjector {
  public:
    explicit OrderProjector(OrderViewWriter& store) : store_(store) {}

    // The consumer's handler; throws when the database is unreachable.
    messaging::HandleOutcome handle(const contracts::Envelope& envelope) {
        if (const auto change = view_change(envelope)) store_.apply(*change);
        return messaging::Handled{};
    }

  private:
    OrderViewWriter& store_;
};

}  // namespace ordersource::gateway
