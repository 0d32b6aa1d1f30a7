#pragma once
// The deadline watcher's index as a snapshot's state (docs/adr/0020-deadline-watcher-snapshots.md):
// a JSON array of [orderId, due in epoch milliseconds, correlationId, paymentRequestId].

#include <optional>
#include <string>
#include <string_view>

#include "domain/payment_deadlines.hpp"

namespace ordersource::order {

// Bump when the encoding changes: a snapshot of another format is ignored, not misread.
inline constexpr int kPaymentDeadlinesFormat = 1;

std::string encode_payment_deadlines(const PaymentDeadlines& deadlines);

// nullopt when `state` is not an encoding of format kPaymentDeadlinesFormat.
std::optional<PaymentDeadlines> decode_payment_deadlines(std::string_view state);

}  // namespace ordersource::order
