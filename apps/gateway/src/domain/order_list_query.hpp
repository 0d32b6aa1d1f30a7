#pragma once
// GET /orders parameters, validated: pure, query map in, a query or every problem found out.
// Pages are keyset pages in (created_at, order_id) descending order - newest first - so an
// order inserted while a client pages never shifts or repeats the rows of later pages.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/order_submission.hpp"

namespace ordersource::gateway {

// Where the previous page ended: the last row's creation time and id.
struct PageCursor {
    std::int64_t created_at_micros = 0;
    std::string order_id;
};

struct OrderListQuery {
    std::optional<std::string> customer_id;
    std::optional<std::string> status;
    std::optional<std::int64_t> from_micros;  // created at or after
    std::optional<std::int64_t> to_micros;    // created before
    int limit = 20;
    std::optional<PageCursor> after;
};

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

using ListQueryResult = std::variant<OrderListQuery, std::vector<FieldError>>;

ListQueryResult parse_order_list_query(
    const std::map<std::string, std::string, std::less<>>& params);

// Opaque to clients; round-trips through parse_order_list_query.
std::string encode_cursor(const PageCursor& cursor);
std::optional<PageCursor> decode_cursor(std::string_view text);

// One row of a list page.
struct OrderSummary {
    std::string order_id;
    std::string customer_id;
    std::string status;
    std::optional<std::string> cancellation_reason;
    std::string currency;
    std::string total;
    int item_count = 0;
    std::string created_at;  // RFC 3339, UTC, milliseconds
    std::string updated_at;
    std::int64_t created_at_micros = 0;
};

struct OrderPage {
    std::vector<OrderSummary> items;
    std::optional<PageCursor> next;
};

// {"items":[...],"nextCursor":"..."|null}
std::string to_json(const OrderPage& page);

}  // namespace ordersource::gateway
