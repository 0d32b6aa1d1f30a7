#include "adapters/account_state_codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ordersource/contracts/pooled_json.hpp"

namespace ordersource::payment {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& writer, std::string_view value) {
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string text(const rapidjson::Value& value) {
    return {value.GetString(), value.GetStringLength()};
}

bool is_tuple(const rapidjson::Value& value, rapidjson::SizeType size) {
    return value.IsArray() && value.Size() == size;
}

}  // namespace

std::string encode_account_state(const State& state) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    writer.Key("customerId");
    string(writer, state.customer_id);
    writer.Key("currencies");
    writer.StartArray();
    for (const auto& [currency, totals] : state.by_currency) {
        writer.StartArray();
        string(writer, currency);
        writer.Int64(totals.authorized.value());
        writer.Int64(totals.refunded.value());
        writer.EndArray();
    }
    writer.EndArray();
    writer.Key("orders");
    writer.StartArray();
    for (const auto& [order_id, payment] : state.by_order) {
        writer.StartArray();
        string(writer, order_id);
        writer.String(payment.decision == PaymentDecision::kAuthorized ? "A" : "D");
        writer.Int64(payment.amount.value());
        string(writer, payment.currency);
        writer.Bool(payment.refunded);
        writer.EndArray();
    }
    writer.EndArray();
    writer.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<State> decode_account_state(std::string_view encoded) {
    const contracts::PooledJson parsed(encoded);
    if (!parsed.parsed() || !parsed.value().IsObject()) return std::nullopt;
    const auto& object = parsed.value();
    const auto customer = object.FindMember("customerId");
    const auto currencies = object.FindMember("currencies");
    const auto orders = object.FindMember("orders");
    if (customer == object.MemberEnd() || !customer->value.IsString() ||
        currencies == object.MemberEnd() || !currencies->value.IsArray() ||
        orders == object.MemberEnd() || !orders->value.IsArray()) {
        return std::nullopt;
    }
    State state;
    state.customer_id = text(customer->value);
    for (const auto& entry : currencies->value.GetArray()) {
        if (!is_tuple(entry, 3) || !entry[0].IsString() || !entry[1].IsInt64() ||
            !entry[2].IsInt64()) {
            return std::nullopt;
        }
        state.by_currency.emplace(text(entry[0]), CurrencyTotals{core::Cents(entry[1].GetInt64()),
                                                                 core::Cents(entry[2].GetInt64())});
    }
    for (const auto& entry : orders->value.GetArray()) {
        if (!is_tuple(entry, 5) || !entry[0].IsString() || !entry[1].IsString() ||
            !entry[2].IsInt64() || !entry[3].IsString() || !entry[4].IsBool()) {
            return std::nullopt;
        }
        const std::string_view decision(entry[1].GetString(), entry[1].GetStringLength());
        if (decision != "A" && decision != "D") return std::nullopt;
        state.by_order.emplace(
            text(entry[0]),
            OrderPayment{
                decision == "A" ? PaymentDecision::kAuthorized : PaymentDecision::kDeclined,
                core::Cents(entry[2].GetInt64()), text(entry[3]), entry[4].GetBool()});
    }
    return state;
}

}  // namespace ordersource::payment
