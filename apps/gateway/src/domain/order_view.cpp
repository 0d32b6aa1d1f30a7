#include "domain/order_view.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ordersource/contracts/payload_validation.hpp"
#include "ordersource/contracts/pooled_json.hpp"

namespace ordersource::gateway {
namespace {

std::string string_field(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : std::string();
}

std::optional<OrderDetails> details_of(const rapidjson::Value& payload) {
    const auto items = payload.FindMember("items");
    if (items == payload.MemberEnd() || !items->value.IsArray()) return std::nullopt;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    items->value.Accept(writer);
    return OrderDetails{string_field(payload, "customerId"), string_field(payload, "currency"),
                        string_field(payload, "total"),
                        std::string(buffer.GetString(), buffer.GetSize()),
                        static_cast<int>(items->value.Size())};
}

std::optional<OrderViewChange> change_of(const contracts::Envelope& envelope,
                                         const rapidjson::Value& payload) {
    OrderViewChange change{string_field(payload, "orderId"), envelope.occurred_at, {}, {}, {}, {}};
    if (change.order_id.empty()) return std::nullopt;

    const auto& type = envelope.type;
    if (type == "OrderCreated") {
        change.created_at = envelope.occurred_at;
        change.details = details_of(payload);
        change.status = StatusChange{"PENDING", std::nullopt, 0};
        return change;
    }
    const bool order_stream = type == "OrderAccepted" || type == "PaymentRequested" ||
                              type == "OrderConfirmed" || type == "OrderCancelled" ||
                              type == "RefundRequested" || type == "OrderRefunded";
    if (!order_stream) return std::nullopt;
    change.history = HistoryEntry{envelope.event_id,    type, envelope.stream_version,
                                  envelope.occurred_at, {},   {}};
    const auto version = envelope.stream_version;
    if (type == "OrderAccepted") {
        if (auto created = string_field(payload, "createdAt"); !created.empty()) {
            change.created_at = std::move(created);
        }
        change.details = details_of(payload);
        change.status = StatusChange{"PENDING", std::nullopt, version};
    } else if (type == "OrderConfirmed") {
        change.status = StatusChange{"CONFIRMED", std::nullopt, version};
    } else if (type == "OrderCancelled") {
        change.status = StatusChange{"CANCELLED", string_field(payload, "reason"), version};
    } else if (type == "OrderRefunded") {
        change.status = StatusChange{"REFUNDED", std::nullopt, version};
    }
    if (change.status) {
        change.history->status = change.status->status;
        change.history->cancellation_reason = change.status->cancellation_reason;
    }
    return change;
}

// Calls `read(payload)` with the object, or returns nullopt when the text is not a JSON object.
template <typename Read>
std::optional<OrderViewChange> with_payload(const std::string& json, Read read) {
    const contracts::PooledJson payload(json);
    if (!payload.parsed() || !payload.value().IsObject()) return std::nullopt;
    return read(payload.value());
}

}  // namespace

std::optional<OrderViewChange> view_change(const contracts::Envelope& envelope) {
    return with_payload(envelope.payload_json, [&envelope](const rapidjson::Value& payload) {
        return change_of(envelope, payload);
    });
}

std::optional<OrderViewChange> checked_view_change(const contracts::Envelope& envelope) {
    return with_payload(
        envelope.payload_json,
        [&envelope](const rapidjson::Value& payload) -> std::optional<OrderViewChange> {
            if (contracts::validate_payload(envelope.type, envelope.schema_version, payload)) {
                return std::nullopt;
            }
            return change_of(envelope, payload);
        });
}

std::string to_json(const OrderView& view) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("orderId");
    writer.String(view.order_id);
    writer.Key("customerId");
    writer.String(view.customer_id);
    writer.Key("status");
    writer.String(view.status);
    if (view.cancellation_reason) {
        writer.Key("cancellationReason");
        writer.String(*view.cancellation_reason);
    }
    writer.Key("currency");
    writer.String(view.currency);
    writer.Key("total");
    writer.String(view.total);
    writer.Key("items");
    writer.RawValue(view.items_json.c_str(), view.items_json.size(), rapidjson::kArrayType);
    writer.Key("version");
    writer.Int64(view.history.empty() ? 0 : view.history.back().version);
    writer.Key("history");
    writer.StartArray();
    for (const auto& entry : view.history) {
        writer.StartObject();
        writer.Key("type");
        writer.String(entry.type);
        writer.Key("version");
        writer.Int64(entry.version);
        writer.Key("occurredAt");
        writer.String(entry.occurred_at);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<OrderView> as_of_version(const OrderView& current, std::int64_t version) {
    OrderView past = current;
    past.history.clear();
    past.status = "PENDING";  // what OrderCreated and OrderAccepted make it
    past.cancellation_reason.reset();
    bool found = false;
    for (const auto& entry : current.history) {
        if (entry.version > version) break;
        found = found || entry.version == version;
        past.history.push_back(entry);
        if (entry.status) {
            past.status = *entry.status;
            past.cancellation_reason = entry.cancellation_reason;
        }
    }
    if (!found) return std::nullopt;
    return past;
}

}  // namespace ordersource::gateway
