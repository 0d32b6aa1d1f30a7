#include "adapters/order_event_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/contracts/pooled_json.hpp"

namespace ordersource::order {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void field(Writer& writer, const char* name, std::string_view value) {
    writer.Key(name);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void money(Writer& writer, const char* name, core::Cents amount) {
    field(writer, name, core::format_decimal_amount(amount));
}

void items(Writer& writer, const std::vector<OrderLine>& lines) {
    writer.Key("items");
    writer.StartArray();
    for (const auto& line : lines) {
        writer.StartObject();
        field(writer, "sku", line.sku);
        writer.Key("quantity");
        writer.Int(line.quantity);
        money(writer, "unitPrice", line.unit_price);
        writer.EndObject();
    }
    writer.EndArray();
}

std::int64_t epoch_millis(TimePoint time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::string payload_of(const Event& event) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    std::visit(Overloaded{
                   [&](const OrderAccepted& e) {
                       field(writer, "orderId", e.order_id);
                       field(writer, "customerId", e.customer_id);
                       field(writer, "currency", e.currency);
                       items(writer, e.items);
                       money(writer, "total", e.total);
                       if (e.created_at) {
                           field(writer, "createdAt",
                                 contracts::format_rfc3339_millis(epoch_millis(*e.created_at)));
                       }
                   },
                   [&](const PaymentRequested& e) {
                       field(writer, "orderId", e.order_id);
                       field(writer, "customerId", e.customer_id);
                       money(writer, "amount", e.amount);
                       field(writer, "currency", e.currency);
                       field(writer, "deadline",
                             contracts::format_rfc3339_millis(epoch_millis(e.deadline)));
                   },
                   [&](const OrderConfirmed& e) { field(writer, "orderId", e.order_id); },
                   [&](const OrderCancelled& e) {
                       field(writer, "orderId", e.order_id);
                       field(writer, "reason", cancellation_reason_name(e.reason));
                   },
                   [&](const RefundRequested& e) {
                       field(writer, "orderId", e.order_id);
                       field(writer, "customerId", e.customer_id);
                       money(writer, "amount", e.amount);
                       field(writer, "currency", e.currency);
                   },
                   [&](const OrderRefunded& e) { field(writer, "orderId", e.order_id); },
               },
               event);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

// Field readers that fail softly: a payload that does not fit yields nullopt, not a throw.
struct Reader {
    const rapidjson::Value& object;
    bool ok = true;

    std::string string(const char* name) {
        const auto it = object.FindMember(name);
        if (it == object.MemberEnd() || !it->value.IsString()) {
            ok = false;
            return {};
        }
        return {it->value.GetString(), it->value.GetStringLength()};
    }
    core::Cents amount(const char* name) {
        const auto parsed = core::parse_decimal_amount(string(name));
        if (!parsed) ok = false;
        return parsed.value_or(core::Cents{});
    }
    std::vector<OrderLine> lines() {
        std::vector<OrderLine> result;
        const auto it = object.FindMember("items");
        if (it == object.MemberEnd() || !it->value.IsArray()) {
            ok = false;
            return result;
        }
        for (const auto& item : it->value.GetArray()) {
            if (!item.IsObject() || !item.HasMember("quantity") || !item["quantity"].IsInt()) {
                ok = false;
                return result;
            }
            Reader line{item};
            result.push_back(
                {line.string("sku"), item["quantity"].GetInt(), line.amount("unitPrice")});
            ok = ok && line.ok;
        }
        return result;
    }
};

// Calls `read(object)` with the parsed payload, or returns nullopt when it is not a JSON object.
template <typename Read>
auto with_object(std::string_view json, Read read) -> decltype(read(rapidjson::Value())) {
    const contracts::PooledJson parsed(json);
    if (!parsed.parsed() || !parsed.value().IsObject()) return std::nullopt;
    return read(parsed.value());
}

template <typename T>
std::optional<T> checked(const Reader& reader, T value) {
    return reader.ok ? std::optional<T>(std::move(value)) : std::nullopt;
}

std::optional<OrderAccepted> order_accepted(const rapidjson::Value& payload) {
    Reader r{payload};
    OrderAccepted accepted{r.string("orderId"), r.string("customerId"), r.string("currency"),
                           r.lines(), r.amount("total")};
    return checked(r, std::move(accepted));
}

std::optional<Event> event_of(std::string_view type, const rapidjson::Value& payload) {
    Reader r{payload};
    if (type == "OrderAccepted") {
        auto accepted = order_accepted(payload);
        if (!accepted) return std::nullopt;
        if (payload.HasMember("createdAt")) {  // schema version 2
            const auto created = contracts::parse_rfc3339_millis(r.string("createdAt"));
            if (!created) return std::nullopt;
            accepted->created_at = TimePoint(std::chrono::milliseconds(*created));
        }
        return Event{std::move(*accepted)};
    }
    if (type == "PaymentRequested") {
        PaymentRequested requested{r.string("orderId"),
                                   r.string("customerId"),
                                   r.amount("amount"),
                                   r.string("currency"),
                                   {}};
        const auto deadline = contracts::parse_rfc3339_millis(r.string("deadline"));
        if (!deadline) return std::nullopt;
        requested.deadline = TimePoint(std::chrono::milliseconds(*deadline));
        return checked<Event>(r, std::move(requested));
    }
    if (type == "OrderConfirmed") return checked<Event>(r, OrderConfirmed{r.string("orderId")});
    if (type == "OrderCancelled") {
        const auto order_id = r.string("orderId");
        const auto reason = r.string("reason");
        if (reason == "PAYMENT_DECLINED") {
            return checked<Event>(r,
                                  OrderCancelled{order_id, CancellationReason::kPaymentDeclined});
        }
        if (reason == "TIMEOUT")
            return checked<Event>(r, OrderCancelled{order_id, CancellationReason::kTimeout});
        return std::nullopt;
    }
    if (type == "RefundRequested") {
        return checked<Event>(r, RefundRequested{r.string("orderId"), r.string("customerId"),
                                                 r.amount("amount"), r.string("currency")});
    }
    if (type == "OrderRefunded") return checked<Event>(r, OrderRefunded{r.string("orderId")});
    return std::nullopt;
}

}  // namespace

eventstore::EncodedEvent encode_event(const Event& event) {
    // OrderAccepted v2 adds createdAt; one without it (a command that did not know the time)
    // stays a valid v1 (ADR 14).
    const auto* accepted = std::get_if<OrderAccepted>(&event);
    const int schema_version = accepted != nullptr && accepted->created_at ? 2 : 1;
    return {std::string(event_type(event)), payload_of(event), schema_version};
}

std::optional<OrderAccepted> decode_order_created(std::string_view payload_json) {
    return with_object(payload_json, order_accepted);
}

std::optional<Event> decode_event(std::string_view type, std::string_view payload_json) {
    return with_object(payload_json,
                       [type](const rapidjson::Value& payload) { return event_of(type, payload); });
}

std::optional<core::Cents> decode_payment_amount(std::string_view payload_json) {
    return with_object(payload_json, [](const rapidjson::Value& payload) {
        Reader r{payload};
        return checked(r, r.amount("amount"));
    });
}

std::optional<std::string> decode_order_id(std::string_view payload_json) {
    return with_object(payload_json, [](const rapidjson::Value& payload) {
        Reader r{payload};
        return checked(r, r.string("orderId"));
    });
}

}  // namespace ordersource::order
