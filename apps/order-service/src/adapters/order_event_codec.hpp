#pragma once
// The Order aggregate's events on the wire: contract type names and payloads exactly as in
// proto/events/*.schema.json (money as decimal strings, times as RFC 3339 UTC).

#include <optional>
#include <string>
#include <string_view>

#include "domain/order_decider.hpp"
#include "ordersource/eventstore/decide_and_append.hpp"

namespace ordersource::order {

eventstore::EncodedEvent encode_event(const Event& event);

// nullopt for a type this aggregate does not know or a payload that does not fit it.
std::optional<Event> decode_event(std::string_view type, std::string_view payload_json);

// OrderCreated (the gateway's event) carries what AcceptOrder needs, in OrderAccepted's shape.
std::optional<OrderAccepted> decode_order_created(std::string_view payload_json);

// The amount of a Payment* payload (all carry "amount").
std::optional<core::Cents> decode_payment_amount(std::string_view payload_json);

// The "orderId" of any order or payment payload.
std::optional<std::string> decode_order_id(std::string_view payload_json);

}  // namespace ordersource::order
