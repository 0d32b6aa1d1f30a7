#pragma once
// Topic names are part of the public contract (deploy/kafka/topics.txt creates them).

#include <string_view>

namespace ordersource::contracts::topics {

inline constexpr std::string_view kOrderCreated = "order-created";
inline constexpr std::string_view kOrderEvents = "order-events";
inline constexpr std::string_view kPaymentEvents = "payment-events";
inline constexpr std::string_view kDeadLetters = "dead-letters";

}  // namespace ordersource::contracts::topics
