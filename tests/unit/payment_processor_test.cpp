// The payment-service's use cases against the in-memory event store: credit limit, refunds
// restoring credit, chaos declines, redelivery, what goes to dead-letters, and accounts restored
// from their snapshots.
#include "app/payment_processor.hpp"

#include <boost/test/unit_test.hpp>

#include "adapters/account_state_codec.hpp"
#include "adapters/payment_event_codec.hpp"
#include "ordersource/eventstore/memory_event_store.hpp"

using namespace ordersource;
namespace es = ordersource::eventstore;

namespace {

contracts::Envelope request(const std::string& type,
                            const std::string& event_id,
                            const std::string& order_id,
                            const std::string& amount,
                            const std::string& customer = "c-1") {
    std::string payload = R"({"orderId":")" + order_id + R"(","customerId":")" + customer +
                          R"(","amount":")" + amount + R"(","currency":"USD")";
    if (type == "PaymentRequested") payload += R"(,"deadline":"2026-11-24T18:34:30.000Z")";
    payload += "}";
    return {.event_id = event_id,
            .type = type,
            .schema_version = 1,
            .stream_id = "order-" + order_id,
            .stream_version = 2,
            .occurred_at = "2026-11-24T18:34:00.000Z",
            .correlation_id = "corr-pay",
            .causation_id = "",
            .payload_json = payload};
}

std::string order_id(int n) {
    char text[40];
    std::snprintf(text, sizeof(text), "00000000-0000-4000-8000-%012d", n);
    return text;
}
std::string event_id(int n) {
    char text[40];
    std::snprintf(text, sizeof(text), "11111111-0000-4000-8000-%012d", n);
    return text;
}

struct Processor {
    es::MemoryEventStore store;
    bool decline_next = false;
    int delays = 0;
    payment::PaymentProcessor processor{
        store, payment::PaymentRules{core::Cents(100000), [this] { return decline_next; },
                                     [this] { ++delays; }}};

    std::vector<std::string> types(const std::string& customer = "c-1") const {
        std::vector<std::string> result;
        for (const auto& event : store.read_stream(es::StreamId{payment::stream_id(customer)})) {
            result.push_back(event.type);
        }
        return result;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(payment_processor, Processor)

BOOST_AUTO_TEST_CASE(payments_within_the_limit_are_authorized_and_beyond_it_declined) {
    processor.handle(request("PaymentRequested", event_id(1), order_id(1), "600.00"));
    processor.handle(request("PaymentRequested", event_id(2), order_id(2), "400.00"));
    processor.handle(request("PaymentRequested", event_id(3), order_id(3), "0.01"));
    BOOST_TEST(types() == (std::vector<std::string>{"PaymentAuthorized", "PaymentAuthorized",
                                                    "PaymentDeclined"}));
    const auto declined = store.read_stream(es::StreamId{payment::stream_id("c-1")}).back();
    BOOST_TEST(declined.payload_json.find("INSUFFICIENT_CREDIT") != std::string::npos);
    BOOST_TEST(declined.metadata.correlation_id == "corr-pay");
    BOOST_TEST(declined.metadata.causation_id == event_id(3));
    BOOST_TEST(delays == 3);
}

BOOST_AUTO_TEST_CASE(one_batch_decides_a_customers_payments_in_order_against_one_credit) {
    const auto first = request("PaymentRequested", event_id(11), order_id(11), "600.00");
    const auto second = request("PaymentRequested", event_id(12), order_id(12), "400.00");
    const auto third = request("PaymentRequested", event_id(13), order_id(13), "0.01");
    const auto elsewhere = request("PaymentRequested", event_id(14), order_id(14), "999.00", "c-2");
    const auto outcomes = processor.handle_all({&first, &second, &elsewhere, &first, &third});
    BOOST_REQUIRE_EQUAL(outcomes.size(), 5U);
    for (const auto& outcome : outcomes)
        BOOST_TEST(std::holds_alternative<messaging::Handled>(outcome));
    // The redelivered first request charged nothing more.
    BOOST_TEST(types() == (std::vector<std::string>{"PaymentAuthorized", "PaymentAuthorized",
                                                    "PaymentDeclined"}));
    BOOST_TEST(types("c-2") == (std::vector<std::string>{"PaymentAuthorized"}));
    // A later batch sees the credit this one used.
    const auto fourth = request("PaymentRequested", event_id(15), order_id(15), "0.01");
    processor.handle_all({&fourth});
    BOOST_TEST(types().back() == "PaymentDeclined");
}

BOOST_AUTO_TEST_CASE(a_refund_returns_the_credit_once) {
    processor.handle(request("PaymentRequested", event_id(1), order_id(1), "1000.00"));
    const auto refund = request("RefundRequested", event_id(2), order_id(1), "1000.00");
    BOOST_TEST(std::holds_alternative<messaging::Handled>(processor.handle(refund)));
    BOOST_TEST(
        std::holds_alternative<messaging::Handled>(processor.handle(refund)));  // redelivered
    processor.handle(request("PaymentRequested", event_id(3), order_id(2), "1000.00"));
    BOOST_TEST(types() == (std::vector<std::string>{"PaymentAuthorized", "PaymentRefunded",
                                                    "PaymentAuthorized"}));
}

BOOST_AUTO_TEST_CASE(a_redelivered_request_never_charges_twice) {
    const auto requested = request("PaymentRequested", event_id(1), order_id(1), "10.00");
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(std::holds_alternative<messaging::Handled>(processor.handle(requested)));
    }
    BOOST_TEST(types() == (std::vector<std::string>{"PaymentAuthorized"}));
}

BOOST_AUTO_TEST_CASE(the_provider_may_decline_at_random_but_credit_comes_first) {
    decline_next = true;
    processor.handle(request("PaymentRequested", event_id(1), order_id(1), "10.00"));
    const auto declined = store.read_stream(es::StreamId{payment::stream_id("c-1")}).back();
    BOOST_TEST(declined.type == "PaymentDeclined");
    BOOST_TEST(declined.payload_json.find("DECLINED_BY_PROVIDER") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refund_of_an_unknown_payment_and_broken_payloads_are_dead_lettered) {
    BOOST_TEST(std::holds_alternative<messaging::Unprocessable>(
        processor.handle(request("RefundRequested", event_id(1), order_id(9), "10.00"))));
    auto broken = request("PaymentRequested", event_id(2), order_id(1), "10.00");
    broken.payload_json = R"({"orderId":"x"})";
    BOOST_TEST(std::holds_alternative<messaging::Unprocessable>(processor.handle(broken)));
    // Other order events are not the payment service's business.
    auto accepted = request("PaymentRequested", event_id(3), order_id(1), "10.00");
    accepted.type = "OrderAccepted";
    BOOST_TEST(std::holds_alternative<messaging::Handled>(processor.handle(accepted)));
    BOOST_TEST(types().empty());
}

BOOST_AUTO_TEST_CASE(every_payment_event_encodes_to_its_contract_and_decodes_back) {
    processor.handle(request("PaymentRequested", event_id(1), order_id(1), "999.99"));
    processor.handle(request("PaymentRequested", event_id(2), order_id(2), "5.00"));
    processor.handle(request("RefundRequested", event_id(3), order_id(1), "999.99"));
    for (const auto& recorded : store.read_stream(es::StreamId{payment::stream_id("c-1")})) {
        const auto violation = contracts::validate_payload(recorded.type, 1, recorded.payload_json);
        BOOST_TEST(!violation.has_value(),
                   recorded.type << ": " << (violation ? violation->reason : ""));
        const auto decoded = payment::decode_event(recorded.type, recorded.payload_json);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST(payment::encode_event(*decoded).payload_json == recorded.payload_json);
    }
    BOOST_TEST(types().size() == 3u);
}

// The highest version <= `version` at which `stream` saves a snapshot every `every` events.
es::StreamVersion last_snapshot_due(const es::StreamId& stream,
                                    std::int64_t every,
                                    std::int64_t version) {
    while ((version + es::snapshot_offset(stream, every)) % every != 0) --version;
    return es::StreamVersion{version};
}

BOOST_AUTO_TEST_CASE(an_account_restored_from_its_snapshot_decides_as_the_whole_stream_would) {
    // Every 4 events a snapshot; a processor without cached accounts loads from it each time.
    const es::StreamId account{payment::stream_id("c-1")};
    payment::PaymentProcessor snapshotting(store, payment::PaymentRules{core::Cents(100000)}, 0,
                                           &store, 4);
    for (int n = 1; n <= 9; ++n) {
        snapshotting.handle(request("PaymentRequested", event_id(n), order_id(n), "100.00"));
    }
    snapshotting.handle(request("RefundRequested", event_id(20), order_id(2), "100.00"));
    const auto saved =
        store.load_stream_snapshots({es::StreamId{payment::stream_id("c-1")}}).front();
    BOOST_REQUIRE(saved.has_value());
    BOOST_TEST(saved->version == last_snapshot_due(account, 4, 10));  // 10 events so far
    BOOST_TEST(saved->format == payment::kAccountStateFormat);

    // A redelivered request of an order inside the snapshot charges nothing, and the credit
    // left is the limit less 9 payments plus one refund: 200.00, so 200.01 is declined.
    snapshotting.handle(request("PaymentRequested", event_id(3), order_id(3), "100.00"));
    snapshotting.handle(request("PaymentRequested", event_id(21), order_id(21), "200.01"));
    snapshotting.handle(request("PaymentRequested", event_id(22), order_id(22), "200.00"));
    // The same commands on a processor that folds the whole stream give the same account.
    const auto folded = es::load(store, es::StreamId{payment::stream_id("c-1")},
                                 payment::initial_state(), payment::evolve_recorded);
    BOOST_TEST(types().size() == 12u);
    BOOST_TEST(types()[10] == "PaymentDeclined");
    BOOST_TEST(types()[11] == "PaymentAuthorized");
    BOOST_TEST(payment::remaining_credit(folded.state, "USD", core::Cents(100000)).value() == 0);
    const auto latest =
        store.load_stream_snapshots({es::StreamId{payment::stream_id("c-1")}}).front();
    BOOST_TEST(latest->version == last_snapshot_due(account, 4, 12));
    auto folded_to_latest = payment::initial_state();
    for (const auto& event : store.read_stream(account)) {
        if (event.stream_version.value() > latest->version.value()) break;
        folded_to_latest = payment::evolve_recorded(std::move(folded_to_latest), event);
    }
    BOOST_TEST((payment::decode_account_state(latest->state).value() == folded_to_latest));
}

BOOST_AUTO_TEST_CASE(the_account_encoding_is_exact_and_refuses_what_is_not_one) {
    processor.handle(request("PaymentRequested", event_id(1), order_id(1), "999.99"));
    decline_next = true;
    processor.handle(request("PaymentRequested", event_id(2), order_id(2), "5.00"));
    decline_next = false;
    processor.handle(request("PaymentRequested", event_id(3), order_id(3), "0.01"));
    processor.handle(request("RefundRequested", event_id(4), order_id(1), "999.99"));
    auto state = es::load(store, es::StreamId{payment::stream_id("c-1")}, payment::initial_state(),
                          payment::evolve_recorded)
                     .state;
    state.by_currency["EUR"] = {core::Cents(7), core::Cents(3)};
    state.by_order["o-\"quoted\""] = {payment::PaymentDecision::kAuthorized, core::Cents(7), "EUR",
                                      false};
    BOOST_REQUIRE_EQUAL(state.by_order.size(), 4u);
    BOOST_TEST(state.by_order.at(order_id(1)).refunded);
    const auto encoded = payment::encode_account_state(state);
    BOOST_TEST((payment::decode_account_state(encoded).value() == state));
    BOOST_TEST((payment::decode_account_state(payment::encode_account_state({})).value() ==
                payment::State{}));
    for (const char* broken :
         {"", "[]", "{}",
          R"({"customerId":"c","currencies":[],"orders":[["o","X",1,"USD",false]]})",
          R"({"customerId":"c","currencies":[["USD",1]],"orders":[]})",
          R"({"customerId":"c","currencies":[],"orders":[["o","A","1","USD",false]]})"}) {
        BOOST_TEST(!payment::decode_account_state(broken).has_value(), broken);
    }
}

BOOST_AUTO_TEST_SUITE_END()
