#include "adapters/payment_deadlines_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ordersource::order {
namespace {

void string(rapidjson::Writer<rapidjson::StringBuffer>& writer, std::string_view value) {
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string encode_payment_deadlines(const PaymentDeadlines& deadlines) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (const auto& [order_id, deadline] : deadlines) {
        writer.StartArray();
        string(writer, order_id);
        writer.Int64(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline.due.time_since_epoch())
                .count());
        string(writer, deadline.correlation_id);
        string(writer, deadline.payment_request_id);
        writer.EndArray();
    }
    writer.EndArray();
    return {buffer.GetString(), buffer.GetSize()};
}

std::optional<PaymentDeadlines> decode_payment_deadlines(std::string_view state) {
    rapidjson::Document document;
    document.Parse(state.data(), state.size());
    if (document.HasParseError() || !document.IsArray()) return std::nullopt;
    PaymentDeadlines deadlines;
    for (const auto& entry : document.GetArray()) {
        if (!entry.IsArray() || entry.Size() != 4 || !entry[0].IsString() || !entry[1].IsInt64() ||
            !entry[2].IsString() || !entry[3].IsString()) {
            return std::nullopt;
        }
        deadlines.emplace(
            std::string(entry[0].GetString(), entry[0].GetStringLength()),
            PaymentDeadline{.due = TimePoint(std::chrono::milliseconds(entry[1].GetInt64())),
                            .correlation_id{entry[2].GetString(), entry[2].GetStringLength()},
                            .payment_request_id{entry[3].GetString(), entry[3].GetStringLength()}});
    }
    return deadlines;
}

}  // namespace ordersource::order
