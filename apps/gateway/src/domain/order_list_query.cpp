#include "domain/order_list_query.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/core/ids.hpp"

namespace ordersource::gateway {
namespace {

constexpr std::array kStatuses{"PENDING", "CONFIRMED", "CANCELLED", "REFUNDED"};

std::optional<std::int64_t> parse_int(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<std::int64_t> parse_time_micros(std::string_view text) {
    const auto millis = contracts::parse_rfc3339_millis(text);
    if (!millis) return std::nullopt;
    return *millis * 1000;
}

}  // namespace

std::string encode_cursor(const PageCursor& cursor) {
    return std::to_string(cursor.created_at_micros) + "." + cursor.order_id;
}

std::optional<PageCursor> decode_cursor(std::string_view text) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto micros = parse_int(text.substr(0, dot));
    const auto order_id = text.substr(dot + 1);
    if (!micros || *micros < 0 || !core::is_uuid(order_id)) return std::nullopt;
    return PageCursor{*micros, std::string(order_id)};
}

ListQueryResult parse_order_list_query(
    const std::map<std::string, std::string, std::less<>>& params) {
    OrderListQuery query;
    std::vector<FieldError> errors;
    for (const auto& [name, value] : params) {
        if (name == "customerId") {
            if (value.empty() || value.size() > 128) {
                errors.push_back({name, "1-128 characters"});
            } else {
                query.customer_id = value;
            }
        } else if (name == "status") {
            if (std::find(kStatuses.begin(), kStatuses.end(), value) == kStatuses.end()) {
                errors.push_back({name, "one of PENDING, CONFIRMED, CANCELLED, REFUNDED"});
            } else {
                query.status = value;
            }
        } else if (name == "from" || name == "to") {
            const auto micros = parse_time_micros(value);
            if (!micros) {
                errors.push_back({name, "an ISO-8601 time with offset, e.g. 2026-11-24T10:00:00Z"});
            } else {
                (name == "from" ? query.from_micros : query.to_micros) = micros;
            }
        } else if (name == "limit") {
            const auto limit = parse_int(value);
            if (!limit || *limit < 1 || *limit > kMaxPageSize) {
                errors.push_back({name, "an integer from 1 to " + std::to_string(kMaxPageSize)});
            } else {
                query.limit = static_cast<int>(*limit);
            }
        } else if (name == "cursor") {
            query.after = decode_cursor(value);
            if (!query.after) errors.push_back({name, "not a cursor this API returned"});
        } else {
            errors.push_back(
                {name, "unknown parameter; allowed: customerId, status, from, to, limit, cursor"});
        }
    }
    if (query.from_micros && query.to_micros && *query.from_micros > *query.to_micros) {
        errors.push_back({"from", "must not be after 'to'"});
    }
    if (!errors.empty()) return errors;
    return query;
}

std::string to_json(const OrderPage& page) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("items");
    writer.StartArray();
    for (const auto& order : page.items) {
        writer.StartObject();
        writer.Key("orderId");
        writer.String(order.order_id);
        writer.Key("customerId");
        writer.String(order.customer_id);
        writer.Key("status");
        writer.String(order.status);
        if (order.cancellation_reason) {
            writer.Key("cancellationReason");
            writer.String(*order.cancellation_reason);
        }
        writer.Key("currency");
        writer.String(order.currency);
        writer.Key("total");
        writer.String(order.total);
        writer.Key("itemCount");
        writer.Int(order.item_count);
        writer.Key("createdAt");
        writer.String(order.created_at);
        writer.Key("updatedAt");
        writer.String(order.updated_at);
        writer.EndObject();
    }
    writer.EndArray();
    writer.Key("nextCursor");
    if (page.next) {
        writer.String(encode_cursor(*page.next));
    } else {
        writer.Null();
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ordersource::gateway
