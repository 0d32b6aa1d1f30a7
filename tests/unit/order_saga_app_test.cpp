// The order-service's use cases against the in-memory event store and a hand-driven clock:
// every flow of the saga, redelivery, and what goes to dead-letters.
#include <boost/test/unit_test.hpp>
#include <stop_token>

#include "adapters/order_event_codec.hpp"
#include "adapters/payment_deadlines_codec.hpp"
#include "app/deadline_watcher.hpp"
#include "app/order_saga.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/memory_event_store.hpp"

using namespace ordersource;
using namespace std::chrono_literals;
namespace es = ordersource::eventstore;

namespace {

const std::string kOrderId = "8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";

contracts::Envelope envelope(std::string type, std::string event_id, std::string payload) {
    return {.event_id = std::move(event_id),
            .type = std::move(type),
            .schema_version = 1,
            .stream_id = "test",
            .stream_version = 1,
            .occurred_at = "2026-11-24T18:34:00.000Z",
            .correlation_id = "corr-saga",
            .causation_id = "",
            .payload_json = std::move(payload)};
}

contracts::Envelope order_created(
    const std::string& order_id = kOrderId,
    const std::string& event_id = "00000000-0000-4000-8000-000000000001") {
    return envelope(
        "OrderCreated", event_id,
        R"({"orderId":")" + order_id +
            R"(","customerId":"c-1","currency":"USD","items":[{"sku":"SKU-1","quantity":2,)"
            R"("unitPrice":"49.99"}],"total":"99.98"})");
}

contracts::Envelope payment(const std::string& type,
                            const std::string& event_id,
                            const std::string& amount,
                            const std::string& extra = "") {
    return envelope(type, event_id,
                    R"({"orderId":")" + kOrderId + R"(","customerId":"c-1","amount":")" + amount +
                        R"(","currency":"USD")" + extra + "}");
}

struct Saga {
    es::MemoryEventStore store;
    order::TimePoint now = order::TimePoint(std::chrono::milliseconds(1'795'545'240'000));
    order::OrderSaga saga{store, [this] { return now; }, 30s};

    std::vector<std::string> types() const {
        std::vector<std::string> result;
        for (const auto& event : store.read_stream(es::StreamId{order::stream_id(kOrderId)})) {
            result.push_back(event.type);
        }
        return result;
    }
    order::State state() const {
        return es::load(store, es::StreamId{order::stream_id(kOrderId)}, order::initial_state(),
                        order::evolve_recorded)
            .state;
    }
};

bool handled(const messaging::HandleOutcome& outcome) {
    return std::holds_alternative<messaging::Handled>(outcome);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(order_saga, Saga)

BOOST_AUTO_TEST_CASE(order_created_is_accepted_with_a_payment_request_due_after_the_timeout) {
    BOOST_TEST(handled(saga.handle(order_created())));
    BOOST_TEST(types() == (std::vector<std::string>{"OrderAccepted", "PaymentRequested"}));
    const auto recorded = store.read_stream(es::StreamId{order::stream_id(kOrderId)});
    BOOST_TEST(recorded[0].metadata.correlation_id == "corr-saga");
    BOOST_TEST(recorded[0].metadata.causation_id == order_created().event_id);
    BOOST_TEST((state().payment_deadline == now + 30s));
    BOOST_TEST(state().total.value() == 9998);
}

BOOST_AUTO_TEST_CASE(authorized_payment_confirms_and_a_redelivery_changes_nothing) {
    saga.handle(order_created());
    const auto authorized =
        payment("PaymentAuthorized", "00000000-0000-4000-8000-000000000002", "99.98");
    BOOST_TEST(handled(saga.handle(authorized)));
    BOOST_TEST(handled(saga.handle(authorized)));
    BOOST_TEST(handled(saga.handle(order_created())));
    BOOST_TEST(types() ==
               (std::vector<std::string>{"OrderAccepted", "PaymentRequested", "OrderConfirmed"}));
    BOOST_TEST(order::status_name(state().status) == "CONFIRMED");
}

BOOST_AUTO_TEST_CASE(declined_payment_cancels_with_payment_declined) {
    saga.handle(order_created());
    BOOST_TEST(
        handled(saga.handle(payment("PaymentDeclined", "00000000-0000-4000-8000-000000000003",
                                    "99.98", R"(,"reason":"INSUFFICIENT_CREDIT")"))));
    BOOST_TEST(order::status_name(state().status) == "CANCELLED");
    BOOST_TEST(order::cancellation_reason_name(*state().cancellation_reason) == "PAYMENT_DECLINED");
}

BOOST_AUTO_TEST_CASE(watcher_cancels_only_after_the_deadline_and_a_late_payment_is_refunded) {
    saga.handle(order_created());
    order::DeadlineWatcher watcher(store, saga, [this] { return now; });
    BOOST_TEST(watcher.catch_up() == 2u);
    BOOST_TEST(watcher.pending() == 1u);
    now += 29s;
    BOOST_TEST(watcher.cancel_overdue() == 0u);
    now += 2s;
    BOOST_TEST(watcher.cancel_overdue() == 1u);
    BOOST_TEST(watcher.pending() == 0u);
    BOOST_TEST(order::cancellation_reason_name(*state().cancellation_reason) == "TIMEOUT");
    const auto cancelled = store.read_stream(es::StreamId{order::stream_id(kOrderId)}).back();
    BOOST_TEST(cancelled.metadata.correlation_id == "corr-saga");  // carried from PaymentRequested

    // Two instances noticing the same overdue order store one cancellation.
    BOOST_TEST(!saga.cancel_if_overdue(kOrderId, "corr-saga", "x"));

    saga.handle(payment("PaymentAuthorized", "00000000-0000-4000-8000-000000000004", "99.98"));
    BOOST_TEST(types().back() == "RefundRequested");
    saga.handle(payment("PaymentRefunded", "00000000-0000-4000-8000-000000000005", "99.98"));
    BOOST_TEST(order::status_name(state().status) == "REFUNDED");
    BOOST_TEST(types() ==
               (std::vector<std::string>{"OrderAccepted", "PaymentRequested", "OrderCancelled",
                                         "RefundRequested", "OrderRefunded"}));
}

// A shutdown does not wait for a catch-up or a sweep: a requested stop reads and cancels
// nothing, and leaves the index where it was for the next call.
BOOST_AUTO_TEST_CASE(watcher_stops_between_pages_and_cancellations_when_asked) {
    saga.handle(order_created());
    now += 1h;
    order::DeadlineWatcher watcher(store, saga, [this] { return now; });
    std::stop_source stopped;
    stopped.request_stop();
    BOOST_TEST(watcher.catch_up(stopped.get_token()) == 0u);
    BOOST_TEST(!watcher.caught_up());  // not ready: it has not read the store
    BOOST_TEST(watcher.catch_up() == 2u);
    BOOST_TEST(watcher.caught_up());
    BOOST_TEST(watcher.cancel_overdue(stopped.get_token()) == 0u);
    BOOST_TEST(watcher.pending() == 1u);
    BOOST_TEST(watcher.cancel_overdue() == 1u);
}

BOOST_AUTO_TEST_CASE(watcher_rebuilt_from_the_store_cancels_orders_overdue_while_it_was_down) {
    saga.handle(order_created());
    now += 1h;  // the service was down past the deadline
    order::DeadlineWatcher restarted(store, saga, [this] { return now; });
    restarted.catch_up();
    BOOST_TEST(restarted.cancel_overdue() == 1u);
    BOOST_TEST(order::status_name(state().status) == "CANCELLED");
}

// A restart reads only what the store recorded after the last snapshot and ends with the index
// a watcher that read everything would have.
BOOST_AUTO_TEST_CASE(a_restarted_watcher_resumes_from_its_snapshot) {
    const std::string paid_id = "7c6e4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";
    const std::string late_id = "9e8f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";
    saga.handle(order_created());
    saga.handle(order_created(paid_id, "00000000-0000-4000-8000-000000000020"));
    order::DeadlineWatcher first(
        store, saga, [this] { return now; }, &store);
    BOOST_TEST(!first.restore());  // nothing saved yet
    BOOST_TEST(first.catch_up() == 4u);
    BOOST_TEST(first.save_snapshot());
    BOOST_TEST(!first.save_snapshot());  // nothing read since

    // While it is down: one order is paid, another arrives.
    saga.handle(envelope("PaymentAuthorized", "00000000-0000-4000-8000-000000000021",
                         R"({"orderId":")" + paid_id +
                             R"(","customerId":"c-1","amount":"99.98","currency":"USD"})"));
    saga.handle(order_created(late_id, "00000000-0000-4000-8000-000000000022"));

    order::DeadlineWatcher restarted(
        store, saga, [this] { return now; }, &store);
    BOOST_TEST(restarted.restore());
    BOOST_TEST(restarted.pending() == 2u);
    BOOST_TEST(restarted.catch_up() == 3u);  // the confirmation and the new order's two events
    BOOST_TEST(restarted.pending() == 2u);
    now += 1h;
    BOOST_TEST(restarted.cancel_overdue() == 2u);
    BOOST_TEST(order::status_name(state().status) == "CANCELLED");
    const auto cancelled = store.read_stream(es::StreamId{order::stream_id(late_id)}).back();
    BOOST_TEST(cancelled.type == "OrderCancelled");
    BOOST_TEST(cancelled.metadata.correlation_id == "corr-saga");  // carried through the snapshot
}

BOOST_AUTO_TEST_CASE(
    a_snapshot_this_build_cannot_read_is_ignored_and_the_store_read_from_its_start) {
    saga.handle(order_created());
    const es::CommitPosition end = store.read_all(es::kStartOfAll, 10).back().commit_position();
    for (const auto& unreadable :
         {es::Snapshot{
              .position = end, .format = order::kPaymentDeadlinesFormat + 1, .state = "[]"},
          es::Snapshot{.position = end, .format = order::kPaymentDeadlinesFormat, .state = "[[1]]"},
          es::Snapshot{.position = end, .format = order::kPaymentDeadlinesFormat, .state = "{"}}) {
        store.save_snapshot(order::DeadlineWatcher::kSnapshotName, unreadable);
        order::DeadlineWatcher watcher(
            store, saga, [this] { return now; }, &store);
        BOOST_TEST(!watcher.restore());
        BOOST_TEST(watcher.catch_up() == 2u);
        BOOST_TEST(watcher.pending() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(the_deadline_index_encodes_and_decodes_back) {
    const order::PaymentDeadlines deadlines{
        {"a",
         {order::TimePoint(std::chrono::milliseconds(1'795'545'240'123)), "corr \"1\"\n\u00e9",
          "pr-1"}},
        {"b", {order::TimePoint(std::chrono::milliseconds(0)), "", ""}}};
    const auto decoded =
        order::decode_payment_deadlines(order::encode_payment_deadlines(deadlines));
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST((*decoded == deadlines));
    BOOST_TEST(order::decode_payment_deadlines("[]").value().empty());
    BOOST_TEST(!order::decode_payment_deadlines(R"([["a","soon","c","p"]])").has_value());
}

BOOST_AUTO_TEST_CASE(events_that_cannot_apply_go_to_dead_letters_and_others_are_ignored) {
    // A payment result for an order never accepted.
    const auto orphan =
        saga.handle(payment("PaymentAuthorized", "00000000-0000-4000-8000-000000000006", "1.00"));
    BOOST_TEST(std::holds_alternative<messaging::Unprocessable>(orphan));
    // OrderCreated whose total contradicts its items.
    auto wrong_total = order_created();
    wrong_total.payload_json.replace(wrong_total.payload_json.find("99.98"), 5, "10.00");
    BOOST_TEST(std::holds_alternative<messaging::Unprocessable>(saga.handle(wrong_total)));
    // Events the order-service does not act on.
    BOOST_TEST(
        handled(saga.handle(envelope("OrderConfirmed", "00000000-0000-4000-8000-000000000007",
                                     R"({"orderId":")" + kOrderId + R"("})"))));
    BOOST_TEST(types().empty());
}

BOOST_AUTO_TEST_CASE(a_batch_carries_each_order_through_its_own_events_in_order) {
    // A consumer that fell behind polls an order's creation and its payment result together,
    // beside another order, a redelivery and a record the saga does not act on.
    const std::string other_id = "9e8f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";
    const auto created = order_created();
    const auto other = order_created(other_id, "00000000-0000-4000-8000-000000000010");
    const auto ignored = envelope("OrderConfirmed", "00000000-0000-4000-8000-000000000011",
                                  R"({"orderId":")" + kOrderId + R"("})");
    const auto authorized =
        payment("PaymentAuthorized", "00000000-0000-4000-8000-000000000012", "99.98");
    const auto outcomes = saga.handle_all({&created, &other, &ignored, &authorized, &authorized});
    BOOST_REQUIRE_EQUAL(outcomes.size(), 5U);
    for (const auto& outcome : outcomes) BOOST_TEST(handled(outcome));
    BOOST_TEST(types() ==
               (std::vector<std::string>{"OrderAccepted", "PaymentRequested", "OrderConfirmed"}));
    BOOST_TEST(store.read_stream(es::StreamId{order::stream_id(other_id)}).size() == 2U);
    // The next batch decides on what this one stored.
    const auto late = payment("PaymentDeclined", "00000000-0000-4000-8000-000000000013", "99.98",
                              R"(,"reason":"INSUFFICIENT_CREDIT")");
    BOOST_TEST(handled(saga.handle_all({&late}).front()));  // already confirmed: nothing to do
    BOOST_TEST(order::status_name(state().status) == "CONFIRMED");
}

BOOST_AUTO_TEST_CASE(every_event_encodes_to_its_contract_and_decodes_back) {
    saga.handle(order_created());
    order::DeadlineWatcher watcher(store, saga, [this] { return now; });
    watcher.catch_up();
    now += 1h;
    watcher.cancel_overdue();
    saga.handle(payment("PaymentAuthorized", "00000000-0000-4000-8000-000000000008", "99.98"));
    saga.handle(payment("PaymentRefunded", "00000000-0000-4000-8000-000000000009", "99.98"));
    const auto events = store.read_stream(es::StreamId{order::stream_id(kOrderId)});
    BOOST_REQUIRE_EQUAL(events.size(), 5u);
    for (const auto& recorded : events) {
        const auto violation = contracts::validate_payload(recorded.type, recorded.schema_version,
                                                           recorded.payload_json);
        BOOST_TEST(!violation.has_value(),
                   recorded.type << ": " << (violation ? violation->reason : ""));
        const auto decoded = order::decode_event(recorded.type, recorded.payload_json);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST(order::encode_event(*decoded).payload_json == recorded.payload_json);
        BOOST_TEST(order::encode_event(*decoded).schema_version == recorded.schema_version);
    }
}

BOOST_AUTO_TEST_CASE(order_accepted_v2_records_when_the_gateway_created_the_order) {
    saga.handle(order_created());
    const auto accepted = store.read_stream(es::StreamId{order::stream_id(kOrderId)}).front();
    BOOST_TEST(accepted.type == "OrderAccepted");
    BOOST_TEST(accepted.schema_version == 2);
    BOOST_TEST(accepted.payload_json.find(R"("createdAt":")" + order_created().occurred_at +
                                          "\"") != std::string::npos,
               accepted.payload_json);
    // A v1 event (stored before v2 existed) still decodes, without the time, and stays v1.
    const std::string v1 =
        R"({"orderId":")" + kOrderId +
        R"(","customerId":"c-1","currency":"USD","items":[{"sku":"SKU-1","quantity":2,)"
        R"("unitPrice":"49.99"}],"total":"99.98"})";
    BOOST_TEST(!contracts::validate_payload("OrderAccepted", 1, v1).has_value());
    BOOST_TEST(contracts::validate_payload("OrderAccepted", 2, v1).has_value());
    const auto decoded = order::decode_event("OrderAccepted", v1);
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(!std::get<order::OrderAccepted>(*decoded).created_at.has_value());
    BOOST_TEST(order::encode_event(*decoded).schema_version == 1);
    BOOST_TEST(order::encode_event(*decoded).payload_json == v1);
}

BOOST_AUTO_TEST_SUITE_END()
