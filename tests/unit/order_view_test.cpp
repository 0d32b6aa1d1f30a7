// What each event changes in the gateway's order read model, and the GET /orders/<id> body.
#include "domain/order_view.hpp"

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_CASE(the_view_renders_as_the_api_documents_it) {
    gateway::OrderView view{
        kOrder, "c-1",  "CANCELLED", "TIMEOUT",
        "USD",  "3.00", "[]",        {{"e", "OrderAccepted", 1, "2026-11-24T18:34:00.123Z"}}};
    BOOST_TEST(
        gateway::to_json(view) ==
        R"({"orderId":")" + kOrder +
            R"(","customerId":"c-1","status":"CANCELLED","cancellationReason":"TIMEOUT","currency":"USD",)"
            R"("total":"3.00","items":[],"history":[{"type":"OrderAccepted","version":1,)"
            R"("occurredAt":"2026-11-24T18:34:00.123Z"}]})");
    view.cancellation_reason.reset();
    BOOST_TEST(gateway::to_json(view).find("cancellationReason") == std::string::npos);
}
