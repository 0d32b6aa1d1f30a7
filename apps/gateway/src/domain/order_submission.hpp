#pragma once
// Validation of a POST /orders body, pure: text in, a validated submission or every problem
// found out. The HTTP adapter turns problems into a 400 problem+json.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ordersource/core/money.hpp"

namespace ordersource::gateway {

struct OrderLine {
    std::string sku;
    int quantity = 0;
    core::Cents unit_price;
};

struct OrderSubmission {
    std::string customer_id;
    std::string currency;
    std::vector<OrderLine> items;
    core::Cents total;
};

struct FieldError {
    std::string field;  // JSON path in the request, e.g. "items[0].quantity"
    std::string message;
};

struct MalformedJson {
    std::string detail;
};

using SubmissionResult = std::variant<OrderSubmission, std::vector<FieldError>, MalformedJson>;

inline constexpr std::size_t kMaxItems = 100;
inline constexpr int kMaxQuantity = 1000;

SubmissionResult validate_order_submission(std::string_view body);

// A canonical JSON rendering of the submission (fixed member order, normalised amounts), so
// two bodies that differ only in whitespace, member order or "5" vs "5.00" compare equal
// for Idempotency-Key checks.
std::string canonical_form(const OrderSubmission& submission);

// The OrderCreated payload (proto/events/OrderCreated.v1.schema.json).
std::string order_created_payload(const OrderSubmission& submission, std::string_view order_id);

}  // namespace ordersource::gateway
