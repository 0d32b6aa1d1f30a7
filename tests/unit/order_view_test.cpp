// What each event changes in the gateway's order read model, and the GET /orders/<id> body.
#include "domain/order_view.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "domain/order_list_query.hpp"
#include "domain/order_summary_fold.hpp"

using namespace ordersource;

namespace {

const std::string kOrder = "8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";

contracts::Envelope event(const std::string& type,
                          std::int64_t version,
                          const std::string& extra = "") {
    return {.event_id = "00000000-0000-4000-8000-00000000000" + std::to_string(version),
            .type = type,
            .schema_version = 1,
            .stream_id = "order-" + kOrder,
            .stream_version = version,
            .occurred_at = "2026-11-24T18:34:00.123Z",
            .correlation_id = "c",
            .causation_id = "",
            .payload_json = R"({"orderId":")" + kOrder + R"(")" + extra + "}"};
}

const std::string kDetails =
    R"(,"customerId":"c-1","currency":"USD","items":[{"sku":"S","quantity":2,"unitPrice":"1.50"}],"total":"3.00")";

}  // namespace

BOOST_AUTO_TEST_CASE(order_created_makes_a_pending_order_with_its_details_but_no_history) {
    const auto change = gateway::view_change(event("OrderCreated", 0, kDetails));
    BOOST_REQUIRE(change.has_value());
    BOOST_TEST(change->status->status == "PENDING");
    BOOST_TEST(change->details->total == "3.00");
    BOOST_TEST(change->details->item_count == 1);
    BOOST_TEST(change->details->items_json == R"([{"sku":"S","quantity":2,"unitPrice":"1.50"}])");
    BOOST_TEST(!change->history.has_value());
}

BOOST_AUTO_TEST_CASE(the_creation_time_comes_from_order_created_or_from_order_accepted_v2) {
    BOOST_TEST(*gateway::view_change(event("OrderCreated", 0, kDetails))->created_at ==
               "2026-11-24T18:34:00.123Z");
    const auto v1 = gateway::view_change(event("OrderAccepted", 1, kDetails));
    BOOST_TEST(!v1->created_at.has_value());
    const auto v2 = gateway::view_change(
        event("OrderAccepted", 1, kDetails + R"(,"createdAt":"2026-11-24T18:33:59.001Z")"));
    BOOST_TEST(*v2->created_at == "2026-11-24T18:33:59.001Z");
    BOOST_TEST(v2->history->occurred_at == "2026-11-24T18:34:00.123Z");
    // Folded alone (a rebuild from the order-service's store), OrderAccepted v2 gives the
    // summary the creation time OrderCreated would have given it.
    const auto row = gateway::fold_summary(std::nullopt, *v2);
    BOOST_TEST(row.created_at == "2026-11-24T18:33:59.001Z");
    BOOST_TEST(row.updated_at == "2026-11-24T18:34:00.123Z");
    BOOST_TEST(gateway::fold_summary(row, *v1).created_at == "2026-11-24T18:33:59.001Z");
}

BOOST_AUTO_TEST_CASE(order_stream_events_add_history_and_move_the_status) {
    BOOST_TEST(gateway::view_change(event("OrderConfirmed", 3))->status->status == "CONFIRMED");
    const auto cancelled =
        gateway::view_change(event("OrderCancelled", 3, R"(,"reason":"TIMEOUT")"));
    BOOST_TEST(cancelled->status->status == "CANCELLED");
    BOOST_TEST(*cancelled->status->cancellation_reason == "TIMEOUT");
    BOOST_TEST(cancelled->status->version == 3);
    BOOST_TEST(gateway::view_change(event("OrderRefunded", 6))->status->status == "REFUNDED");
    const auto requested = gateway::view_change(event("PaymentRequested", 2));
    BOOST_TEST(!requested->status.has_value());
    BOOST_TEST(requested->history->type == "PaymentRequested");
    BOOST_TEST(requested->history->version == 2);
    BOOST_TEST(!gateway::view_change(event("PaymentAuthorized", 1)).has_value());
}

BOOST_AUTO_TEST_CASE(a_checked_change_is_none_for_a_payload_a_consumer_would_dead_letter) {
    // What an event store hands over was never validated: the rebuild must skip what the
    // live projector's consume loop dead-letters.
    const auto valid = event("OrderCancelled", 3, R"(,"reason":"TIMEOUT")");
    BOOST_REQUIRE(gateway::checked_view_change(valid).has_value());
    BOOST_TEST(gateway::checked_view_change(valid)->status->status == "CANCELLED");
    const auto invalid = event("OrderCancelled", 3, R"(,"reason":"BORED")");
    BOOST_TEST(gateway::view_change(invalid).has_value());
    BOOST_TEST(!gateway::checked_view_change(invalid).has_value());
    auto garbage = valid;
    garbage.payload_json = "{not json";
    BOOST_TEST(!gateway::checked_view_change(garbage).has_value());
}

BOOST_AUTO_TEST_CASE(the_view_renders_as_the_api_documents_it) {
    gateway::OrderView view{
        kOrder,      "c-1",
        "CANCELLED", "TIMEOUT",
        "USD",       "3.00",
        "[]",        {{"e", "OrderAccepted", 1, "2026-11-24T18:34:00.123Z", "PENDING", {}}}};
    BOOST_TEST(
        gateway::to_json(view) ==
        R"({"orderId":")" + kOrder +
            R"(","customerId":"c-1","status":"CANCELLED","cancellationReason":"TIMEOUT","currency":"USD",)"
            R"("total":"3.00","items":[],"version":1,"history":[{"type":"OrderAccepted","version":1,)"
            R"("occurredAt":"2026-11-24T18:34:00.123Z"}]})");
    view.cancellation_reason.reset();
    BOOST_TEST(gateway::to_json(view).find("cancellationReason") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_status_event_records_the_status_it_set_in_its_history_entry) {
    const auto cancelled =
        gateway::view_change(event("OrderCancelled", 3, R"(,"reason":"PAYMENT_DECLINED")"));
    BOOST_TEST(*cancelled->history->status == "CANCELLED");
    BOOST_TEST(*cancelled->history->cancellation_reason == "PAYMENT_DECLINED");
    BOOST_TEST(!gateway::view_change(event("PaymentRequested", 2))->history->status.has_value());
}

namespace {

// Accepted, payment requested, cancelled on timeout, refund requested, refunded.
gateway::OrderView refunded_order() {
    return gateway::OrderView{kOrder,
                              "c-1",
                              "REFUNDED",
                              std::nullopt,
                              "USD",
                              "3.00",
                              "[]",
                              {{"e1", "OrderAccepted", 1, "t1", "PENDING", std::nullopt},
                               {"e2", "PaymentRequested", 2, "t2", std::nullopt, std::nullopt},
                               {"e3", "OrderCancelled", 3, "t3", "CANCELLED", "TIMEOUT"},
                               {"e4", "RefundRequested", 4, "t4", std::nullopt, std::nullopt},
                               {"e5", "OrderRefunded", 5, "t5", "REFUNDED", std::nullopt}}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(time_travel_replays_the_history_up_to_each_version) {
    const auto order = refunded_order();
    const std::vector<std::pair<std::string, std::optional<std::string>>> expected{
        {"PENDING", std::nullopt},
        {"PENDING", std::nullopt},
        {"CANCELLED", "TIMEOUT"},
        {"CANCELLED", "TIMEOUT"},
        {"REFUNDED", std::nullopt}};
    for (std::int64_t version = 1; version <= 5; ++version) {
        const auto past = gateway::as_of_version(order, version);
        BOOST_TEST_CONTEXT("version " << version) {
            BOOST_REQUIRE(past.has_value());
            const auto& [status, reason] = expected[static_cast<std::size_t>(version - 1)];
            BOOST_TEST(past->status == status);
            BOOST_TEST(past->cancellation_reason.value_or("-") == reason.value_or("-"));
            BOOST_TEST(past->history.size() == static_cast<std::size_t>(version));
            BOOST_TEST(past->history.back().version == version);
        }
    }
    BOOST_TEST(!gateway::as_of_version(order, 6).has_value());
    BOOST_TEST(!gateway::as_of_version(order, 0).has_value());
}

BOOST_AUTO_TEST_CASE(list_parameters_are_validated_and_every_bad_one_is_named) {
    const auto query = gateway::parse_order_list_query({{"customerId", "c-1"},
                                                        {"status", "CONFIRMED"},
                                                        {"from", "2026-11-24T10:00:00Z"},
                                                        {"to", "2026-11-24T11:00:00.500+01:00"},
                                                        {"limit", "100"}});
    BOOST_REQUIRE(std::holds_alternative<gateway::OrderListQuery>(query));
    const auto& parsed = std::get<gateway::OrderListQuery>(query);
    BOOST_TEST(*parsed.customer_id == "c-1");
    BOOST_TEST(*parsed.status == "CONFIRMED");
    BOOST_TEST(*parsed.from_micros == 1795514400000000LL);
    BOOST_TEST(*parsed.to_micros == 1795514400500000LL);
    BOOST_TEST(parsed.limit == 100);
    BOOST_TEST(std::get<gateway::OrderListQuery>(gateway::parse_order_list_query({})).limit == 20);

    const auto bad = gateway::parse_order_list_query({{"status", "SHIPPED"},
                                                      {"limit", "0"},
                                                      {"from", "yesterday"},
                                                      {"cursor", "abc"},
                                                      {"sort", "asc"}});
    BOOST_REQUIRE(std::holds_alternative<std::vector<gateway::FieldError>>(bad));
    std::vector<std::string> named;
    for (const auto& error : std::get<std::vector<gateway::FieldError>>(bad)) {
        named.push_back(error.field);
    }
    std::sort(named.begin(), named.end());
    BOOST_TEST(named == (std::vector<std::string>{"cursor", "from", "limit", "sort", "status"}),
               boost::test_tools::per_element());
    for (const auto* limit : {"101", "-1", "2x", ""}) {
        BOOST_TEST(std::holds_alternative<std::vector<gateway::FieldError>>(
            gateway::parse_order_list_query({{"limit", limit}})));
    }
    const auto reversed = gateway::parse_order_list_query(
        {{"from", "2026-11-24T11:00:00Z"}, {"to", "2026-11-24T10:00:00Z"}});
    BOOST_TEST(std::holds_alternative<std::vector<gateway::FieldError>>(reversed));
}

BOOST_AUTO_TEST_CASE(a_cursor_round_trips_and_a_forged_one_is_refused) {
    const gateway::PageCursor cursor{1795514400123456LL, kOrder};
    const auto decoded = gateway::decode_cursor(gateway::encode_cursor(cursor));
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(decoded->created_at_micros == cursor.created_at_micros);
    BOOST_TEST(decoded->order_id == cursor.order_id);
    BOOST_TEST(!gateway::decode_cursor("12.not-a-uuid").has_value());
    BOOST_TEST(!gateway::decode_cursor("-5." + kOrder).has_value());
    BOOST_TEST(!gateway::decode_cursor(kOrder).has_value());
}

BOOST_AUTO_TEST_CASE(a_page_renders_its_items_and_a_null_cursor_on_the_last_page) {
    gateway::OrderPage page{{{kOrder, "c-1", "CANCELLED", "TIMEOUT", "USD", "3.00", 1,
                              "2026-11-24T10:00:00.000Z", "2026-11-24T10:00:01.000Z", 0}},
                            std::nullopt};
    BOOST_TEST(
        gateway::to_json(page) ==
        R"({"items":[{"orderId":")" + kOrder +
            R"(","customerId":"c-1","status":"CANCELLED","cancellationReason":"TIMEOUT",)"
            R"("currency":"USD","total":"3.00","itemCount":1,)"
            R"("createdAt":"2026-11-24T10:00:00.000Z","updatedAt":"2026-11-24T10:00:01.000Z"}],)"
            R"("nextCursor":null})");
    page.next = gateway::PageCursor{7, kOrder};
    BOOST_TEST(gateway::to_json(page).find(R"("nextCursor":"7.)" + kOrder + "\"") !=
               std::string::npos);
}
