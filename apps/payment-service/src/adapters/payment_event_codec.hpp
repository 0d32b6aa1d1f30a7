#pragma once
// The Account aggregate's events on the wire, exactly as proto/events/Payment*.v1.schema.json
// (money as decimal strings), and the fields the service reads from order-events.

#include <optional>
#include <string>
#include <string_view>

#include "domain/account_decider.hpp"
#include "ordersource/eventstore/decide_and_append.hpp"

namespace ordersource::payment {

eventstore::EncodedEvent encode_event(const Event& event);

// nullopt for a type this aggregate does not know or a payload that does not fit it.
std::optional<Event> decode_event(std::string_view type, std::string_view payload_json);

// What PaymentRequested and RefundRequested (order-events) carry.
struct PaymentRequest {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;
};
std::optional<PaymentRequest> decode_payment_request(std::string_view payload_json);

}  // namespace ordersource::payment
