// The payment-service's use cases against the in-memory event store: credit limit, refunds
// restoring credit, chaos declines, redelivery, and what goes to dead-letters.
#include "app/payment_processor.hpp"

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE_END()
