#pragma once
// A customer's folded account as a stream snapshot's state (docs/adr/0022-stream-snapshots.md):
// {"customerId": "...", "currencies": [[code, authorized, refunded], ...],
//  "orders": [[orderId, "A" authorized | "D" declined, amount, currency, refunded], ...]},
// amounts in cents. Exact: decoding an encoding gives back an equal State.

#include <optional>
#include <string>
#include <string_view>

#include "domain/account_decider.hpp"

namespace ordersource::payment {

// Bump when the encoding changes: a snapshot of another format is ignored, not misread.
inline constexpr int kAccountStateFormat = 1;

std::string encode_account_state(const State& state);

// nullopt when `text` is not an encoding of format kAccountStateFormat.
std::optional<State> decode_account_state(std::string_view text);

}  // namespace ordersource::payment
