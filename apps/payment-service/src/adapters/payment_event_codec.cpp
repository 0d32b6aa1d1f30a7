#include "adapters/payment_event_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ordersource/contracts/pooled_json.hpp"

namespace ordersource::payment {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

struct Fields {
    const std::string& order_id;
    const std::string& customer_id;
    core::Cents amount;
    const std::string& currency;
};

std::string payload(const Fields& fields, const std::string_view* reason) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("orderId");
    writer.String(fields.order_id);
    writer.Key("customerId");
    writer.String(fields.customer_id);
    writer.Key("amount");
    writer.String(core::format_decimal_amount(fields.amount));
    writer.Key("currency");
    writer.String(fields.currency);
    if (reason != nullptr) {
        writer.Key("reason");
        writer.String(reason->data(), static_cast<rapidjson::SizeType>(reason->size()));
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<std::string> string_field(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

eventstore::EncodedEvent encode_event(const Event& event) {
    return {std::string(event_type(event)),
            std::visit(
                Overloaded{
                    [](const PaymentAuthorized& e) {
                        return payload({e.order_id, e.customer_id, e.amount, e.currency}, nullptr);
                    },
                    [](const PaymentDeclined& e) {
                        const auto reason = decline_reason_name(e.reason);
                        return payload({e.order_id, e.customer_id, e.amount, e.currency}, &reason);
                    },
                    [](const PaymentRefunded& e) {
                        return payload({e.order_id, e.customer_id, e.amount, e.currency}, nullptr);
                    },
                },
                event)};
}

namespace {

std::optional<PaymentRequest> payment_request(const rapidjson::Value& document) {
    auto order_id = string_field(document, "orderId");
    auto customer_id = string_field(document, "customerId");
    auto currency = string_field(document, "currency");
    const auto amount_text = string_field(document, "amount");
    const auto amount = amount_text ? core::parse_decimal_amount(*amount_text) : std::nullopt;
    if (!order_id || !customer_id || !currency || !amount) return std::nullopt;
    return PaymentRequest{std::move(*order_id), std::move(*customer_id), *amount,
                          std::move(*currency)};
}

}  // namespace

std::optional<PaymentRequest> decode_payment_request(std::string_view payload_json) {
    const contracts::PooledJson parsed(payload_json);
    if (!parsed.parsed() || !parsed.value().IsObject()) return std::nullopt;
    return payment_request(parsed.value());
}

std::optional<Event> decode_event(std::string_view type, std::string_view payload_json) {
    const contracts::PooledJson parsed(payload_json);
    if (!parsed.parsed() || !parsed.value().IsObject()) return std::nullopt;
    auto fields = payment_request(parsed.value());
    if (!fields) return std::nullopt;
    if (type == "PaymentAuthorized") {
        return PaymentAuthorized{fields->order_id, fields->customer_id, fields->amount,
                                 fields->currency};
    }
    if (type == "PaymentRefunded") {
        return PaymentRefunded{fields->order_id, fields->customer_id, fields->amount,
                               fields->currency};
    }
    if (type == "PaymentDeclined") {
        const auto reason = string_field(parsed.value(), "reason");
        if (!reason) return std::nullopt;
        for (const auto candidate :
             {DeclineReason::kInsufficientCredit, DeclineReason::kDeclinedByProvider}) {
            if (*reason == decline_reason_name(candidate)) {
                return PaymentDeclined{fields->order_id, fields->customer_id, fields->amount,
                                       fields->currency, candidate};
            }
        }
    }
    return std::nullopt;
}

}  // namespace ordersource::payment
