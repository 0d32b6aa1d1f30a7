// Which events become notifications, and what each teaches about the order's owner.
#include "domain/notification.hpp"

#include <boost/test/unit_test.hpp>

using namespace ordersource;

namespace {

const std::string kOrder = "8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";

contracts::Envelope event(const std::string& type, const std::string& payload) {
    return {.event_id = "00000000-0000-4000-8000-000000000001",
            .type = type,
            .schema_version = 1,
            .stream_id = "order-" + kOrder,
            .stream_version = 1,
            .occurred_at = "2026-11-24T18:34:00.123Z",
            .correlation_id = "c",
            .causation_id = "",
            .payload_json = payload};
}

}  // namespace

BOOST_AUTO_TEST_CASE(customer_facing_events_become_notifications_with_their_kind) {
    const std::string id = R"({"orderId":")" + kOrder + R"(")";
    const auto accepted =
        notifier::observe(event("OrderAccepted", id + R"(,"customerId":"c-1","currency":"USD",)"
                                                      R"("items":[],"total":"1.00"})"));
    BOOST_REQUIRE(accepted.notification && accepted.owner);
    BOOST_TEST(accepted.notification->kind == "ACCEPTED");
    BOOST_TEST(accepted.owner->customer_id == "c-1");
    BOOST_TEST(accepted.notification->occurred_at == "2026-11-24T18:34:00.123Z");
    BOOST_TEST(notifier::observe(event("OrderConfirmed", id + "}")).notification->kind ==
               "CONFIRMED");
    BOOST_TEST(notifier::observe(event("OrderRefunded", id + "}")).notification->kind ==
               "REFUNDED");
    const auto timeout = notifier::observe(event("OrderCancelled", id + R"(,"reason":"TIMEOUT"})"));
    BOOST_TEST(timeout.notification->kind == "CANCELLED");
    BOOST_TEST(timeout.notification->message.find("did not arrive in time") != std::string::npos);
    const auto declined =
        notifier::observe(event("OrderCancelled", id + R"(,"reason":"PAYMENT_DECLINED"})"));
    BOOST_TEST(declined.notification->message.find("declined") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(other_events_only_teach_the_owner_or_nothing) {
    const std::string id = R"({"orderId":")" + kOrder + R"(")";
    const auto created = notifier::observe(event("OrderCreated", id + R"(,"customerId":"c-2"})"));
    BOOST_TEST(!created.notification.has_value());
    BOOST_TEST(created.owner->customer_id == "c-2");
    const auto requested =
        notifier::observe(event("PaymentRequested", id + R"(,"customerId":"c-2"})"));
    BOOST_TEST((!requested.notification && !requested.owner));
    BOOST_TEST(!notifier::observe(event("OrderConfirmed", "not json")).notification.has_value());
}

BOOST_AUTO_TEST_CASE(a_batch_stores_each_owner_and_notification_once_in_key_order) {
    const notifier::Observation first{
        notifier::OrderOwner{"b-order", "c-1"},
        notifier::Notification{"e-2", "b-order", "ACCEPTED", "m", "t"}};
    const notifier::Observation other{
        notifier::OrderOwner{"a-order", "c-2"},
        notifier::Notification{"e-3", "a-order", "ACCEPTED", "m", "t"}};
    // The same order's owner again (OrderCreated, then OrderAccepted), a redelivered event,
    // and an event that teaches nothing.
    const notifier::Observation owner_again{notifier::OrderOwner{"b-order", "c-1"}, std::nullopt};
    const auto batch = notifier::batch_of({first, other, owner_again, first, {}});
    BOOST_REQUIRE(batch.owners.size() == 2U);
    BOOST_TEST(batch.owners[0].order_id == "a-order");
    BOOST_TEST(batch.owners[1].order_id == "b-order");
    BOOST_REQUIRE(batch.notifications.size() == 2U);
    // By order first, as the table's key is (order_id, event_id).
    BOOST_TEST(batch.notifications[0].event_id == "e-3");
    BOOST_TEST(batch.notifications[1].event_id == "e-2");
    BOOST_TEST(notifier::batch_of({}).notifications.empty());
}
