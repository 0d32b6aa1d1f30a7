#include "domain/order_submission.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>

#include "ordersource/contracts/pooled_json.hpp"

namespace ordersource::gateway {
namespace {

bool is_customer_id(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::string item_field(std::size_t index, std::string_view member) {
    return "items[" + std::to_string(index) + "]." + std::string(member);
}

void validate_line(const rapidjson::Value& item,
                   std::size_t index,
                   std::vector<OrderLine>& lines,
                   std::vector<FieldError>& errors) {
    if (!item.IsObject()) {
        errors.push_back({"items[" + std::to_string(index) + "]", "must be an object"});
        return;
    }
    OrderLine line;
    bool valid = true;
    const auto sku = item.FindMember("sku");
    if (sku == item.MemberEnd() || !sku->value.IsString() || sku->value.GetStringLength() == 0 ||
        sku->value.GetStringLength() > 64) {
        errors.push_back({item_field(index, "sku"), "must be a string of 1-64 characters"});
        valid = false;
    } else {
        line.sku.assign(sku->value.GetString(), sku->value.GetStringLength());
    }
    const auto quantity = item.FindMember("quantity");
    if (quantity == item.MemberEnd() || !quantity->value.IsInt() || quantity->value.GetInt() < 1 ||
        quantity->value.GetInt() > kMaxQuantity) {
        errors.push_back({item_field(index, "quantity"), "must be an integer from 1 to 1000"});
        valid = false;
    } else {
        line.quantity = quantity->value.GetInt();
    }
    const auto price = item.FindMember("unitPrice");
    std::optional<core::Cents> cents;
    if (price != item.MemberEnd() && price->value.IsString()) {
        cents = core::parse_decimal_amount(
            std::string_view(price->value.GetString(), price->value.GetStringLength()));
    }
    if (!cents || cents->value() <= 0) {
        errors.push_back({item_field(index, "unitPrice"),
                          "must be a decimal string greater than 0 with at most 2 decimals, "
                          "e.g. \"49.99\""});
        valid = false;
    } else {
        line.unit_price = *cents;
    }
    if (valid) lines.push_back(std::move(line));
}

}  // namespace

SubmissionResult validate_order_submission(std::string_view body) {
    const contracts::PooledJson parsed(body);
    if (!parsed.parsed()) {
        return MalformedJson{std::string(rapidjson::GetParseError_En(parsed.error())) +
                             " (at offset " + std::to_string(parsed.error_offset()) + ")"};
    }
    const auto& document = parsed.value();
    if (!document.IsObject()) {
        return std::vector<FieldError>{{"", "the body must be a JSON object"}};
    }
    OrderSubmission submission;
    std::vector<FieldError> errors;

    const auto customer = document.FindMember("customerId");
    if (customer == document.MemberEnd() || !customer->value.IsString() ||
        !is_customer_id(
            std::string_view(customer->value.GetString(), customer->value.GetStringLength()))) {
        errors.push_back({"customerId", "must be 1-64 characters of A-Z a-z 0-9 . _ -"});
    } else {
        submission.customer_id = customer->value.GetString();
    }

    const auto currency = document.FindMember("currency");
    if (currency == document.MemberEnd() || !currency->value.IsString() ||
        !core::is_currency_code(
            std::string_view(currency->value.GetString(), currency->value.GetStringLength()))) {
        errors.push_back({"currency", "must be 3 uppercase letters, e.g. \"USD\""});
    } else {
        submission.currency = currency->value.GetString();
    }

    const auto items = document.FindMember("items");
    if (items == document.MemberEnd() || !items->value.IsArray() || items->value.Empty() ||
        items->value.Size() > kMaxItems) {
        errors.push_back({"items", "must be an array of 1-100 items"});
    } else {
        for (rapidjson::SizeType i = 0; i < items->value.Size(); ++i) {
            validate_line(items->value[i], i, submission.items, errors);
        }
    }
    if (!errors.empty()) {
        return errors;
    }
    // 100 lines of 1000 units at kMaxCents would overflow int64: cap the total at kMaxCents,
    // checking before every multiplication and addition.
    for (const auto& line : submission.items) {
        const auto line_total = line.unit_price.value() * line.quantity;
        if (line.unit_price.value() > core::kMaxCents / line.quantity ||
            submission.total.value() > core::kMaxCents - line_total) {
            return std::vector<FieldError>{{"items", "the order total exceeds 99999999999.99"}};
        }
        submission.total += core::Cents(line_total);
    }
    return submission;
}

namespace {

template <typename Writer>
void write_lines(Writer& writer, const OrderSubmission& submission) {
    writer.StartArray();
    for (const auto& line : submission.items) {
        writer.StartObject();
        writer.Key("sku");
        writer.String(line.sku);
        writer.Key("quantity");
        writer.Int(line.quantity);
        writer.Key("unitPrice");
        writer.String(core::format_decimal_amount(line.unit_price));
        writer.EndObject();
    }
    writer.EndArray();
}

}  // namespace

std::string canonical_form(const OrderSubmission& submission) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("customerId");
    writer.String(submission.customer_id);
    writer.Key("currency");
    writer.String(submission.currency);
    writer.Key("items");
    write_lines(writer, submission);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string order_created_payload(const OrderSubmission& submission, std::string_view order_id) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("orderId");
    writer.String(order_id.data(), static_cast<rapidjson::SizeType>(order_id.size()));
    writer.Key("customerId");
    writer.String(submission.customer_id);
    writer.Key("currency");
    writer.String(submission.currency);
    writer.Key("items");
    write_lines(writer, submission);
    writer.Key("total");
    writer.String(core::format_decimal_amount(submission.total));
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace ordersource::gateway
