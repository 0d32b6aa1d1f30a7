#pragma once
// The orders waiting for a payment result and when each gives up waiting: what the deadline
// watcher folds from PaymentRequested and terminal events (docs/adr/0009-payment-deadlines.md).

#include <map>
#include <string>

#include "domain/order_decider.hpp"

namespace ordersource::order {

struct PaymentDeadline {
    TimePoint due;
    std::string correlation_id;  // carried on to the cancellation
    std::string payment_request_id;

    friend bool operator==(const PaymentDeadline&, const PaymentDeadline&) = default;
};

using PaymentDeadlines = std::map<std::string, PaymentDeadline>;  // by order id

}  // namespace ordersource::order
