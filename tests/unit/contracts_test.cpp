#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>
#include <vector>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/contracts/payload_validation.hpp"
#include "ordersource/contracts/pooled_json.hpp"

using namespace ordersource::contracts;

namespace {

Envelope order_created() {
    return Envelope{.event_id = "3f1c9a56-0d3e-4c4b-9a0e-6a2f0e8c1b7d",
                    .type = "OrderCreated",
                    .schema_version = 1,
                    .stream_id = "order-8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f",
                    .stream_version = 0,
                    .occurred_at = "2026-11-24T18:34:00.123Z",
                    .correlation_id = "corr-1",
                    .causation_id = "",
                    .payload_json =
                        R"({"orderId":"8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f","customerId":"c-1",)"
                        R"("currency":"USD","items":[{"sku":"SKU-1","quantity":2,)"
                        R"("unitPrice":"49.99"}],"total":"99.98"})"};
}

std::string reason_of(const std::variant<Envelope, ContractViolation>& result) {
    BOOST_REQUIRE(std::holds_alternative<ContractViolation>(result));
    return std::get<ContractViolation>(result).reason;
}

}  // namespace

BOOST_AUTO_TEST_CASE(envelope_round_trips_through_json_and_validates) {
    const auto original = order_created();
    const auto parsed = parse_envelope(to_json(original));
    BOOST_REQUIRE(std::holds_alternative<Envelope>(parsed));
    const auto& envelope = std::get<Envelope>(parsed);
    BOOST_TEST(envelope.event_id == original.event_id);
    BOOST_TEST(envelope.type == "OrderCreated");
    BOOST_TEST(envelope.stream_id == original.stream_id);
    BOOST_TEST(envelope.correlation_id == "corr-1");
    BOOST_TEST(envelope.payload_json == original.payload_json);
}

BOOST_AUTO_TEST_CASE(garbage_is_a_violation_not_a_crash) {
    BOOST_TEST(reason_of(parse_envelope("not json")).find("not valid JSON") == 0U);
    BOOST_TEST(reason_of(parse_envelope("")).find("not valid JSON") == 0U);
    BOOST_TEST(reason_of(parse_envelope("[1,2]")).find("envelope") == 0U);
}

BOOST_AUTO_TEST_CASE(missing_envelope_member_is_named) {
    auto json = to_json(order_created());
    json.replace(json.find("\"correlationId\""), 15, "\"correlationXX\"");
    const auto reason = reason_of(parse_envelope(json));
    BOOST_TEST(reason.find("envelope") == 0U);
}

BOOST_AUTO_TEST_CASE(payload_violation_names_the_offending_field) {
    auto envelope = order_created();
    envelope.payload_json.replace(envelope.payload_json.find("\"quantity\":2"), 12,
                                  "\"quantity\":0");
    const auto reason = reason_of(parse_envelope(to_json(envelope)));
    BOOST_TEST(reason == "payload /items/0/quantity violates 'minimum'");
}

BOOST_AUTO_TEST_CASE(unknown_type_or_version_is_a_violation) {
    auto envelope = order_created();
    envelope.type = "OrderTeleported";
    BOOST_TEST(reason_of(parse_envelope(to_json(envelope))) ==
               "unknown event type OrderTeleported v1");
    envelope = order_created();
    envelope.schema_version = 7;
    BOOST_TEST(reason_of(parse_envelope(to_json(envelope))) ==
               "unknown event type OrderCreated v7");
}

BOOST_AUTO_TEST_CASE(every_event_of_the_catalogue_has_a_schema) {
    for (const char* type : {"OrderCreated", "OrderAccepted", "PaymentRequested", "OrderConfirmed",
                             "OrderCancelled", "RefundRequested", "OrderRefunded",
                             "PaymentAuthorized", "PaymentDeclined", "PaymentRefunded"}) {
        const auto violation = validate_payload(type, 1, "{}");
        BOOST_REQUIRE(violation.has_value());  // {} lacks required members...
        BOOST_TEST(violation->reason.find("unknown event type") == std::string::npos, type);
    }
    BOOST_TEST(!validate_payload("OrderCancelled", 1,
                                 R"({"orderId":"8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f",)"
                                 R"("reason":"TIMEOUT"})"));
    BOOST_TEST(validate_payload("OrderCancelled", 1,
                                R"({"orderId":"8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f",)"
                                R"("reason":"BORED"})")
                   .has_value());
}

BOOST_AUTO_TEST_CASE(a_parsed_payload_validates_as_its_text_does) {
    rapidjson::Document valid;
    valid.Parse(order_created().payload_json.c_str());
    BOOST_TEST(!validate_payload("OrderCreated", 1, valid));
    const std::string text = R"({"orderId":"not-a-uuid"})";
    rapidjson::Document invalid;
    invalid.Parse(text.c_str());
    const auto violation = validate_payload("OrderCreated", 1, invalid);
    BOOST_REQUIRE(violation.has_value());
    BOOST_TEST(violation->reason == validate_payload("OrderCreated", 1, text)->reason);
    BOOST_TEST(validate_payload("OrderTeleported", 1, valid)->reason ==
               "unknown event type OrderTeleported v1");
}

BOOST_AUTO_TEST_CASE(kafka_headers_carry_the_envelope_facts) {
    const auto headers = kafka_headers(order_created());
    BOOST_TEST(headers.size() == 8U);
    BOOST_TEST(headers[0].first == "event-id");
    BOOST_TEST(headers[5].second == "corr-1");
    BOOST_TEST(headers[7].second == "application/json");
}

BOOST_AUTO_TEST_CASE(times_format_as_rfc3339_utc_with_milliseconds) {
    BOOST_TEST(format_rfc3339_millis(0) == "1970-01-01T00:00:00.000Z");
    BOOST_TEST(format_rfc3339_millis(1'795'545'240'123) == "2026-11-24T18:34:00.123Z");
    BOOST_TEST(format_rfc3339_millis(951'868'799'999) == "2000-02-29T23:59:59.999Z");
}

namespace {

// The C library's answer, independent of the digit arithmetic under test.
std::string strftime_millis(std::int64_t millis) {
    const auto seconds = static_cast<std::time_t>(millis / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    const auto length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
    char fraction[8];
    std::snprintf(fraction, sizeof(fraction), ".%03dZ", static_cast<int>(millis % 1000));
    return std::string(text, length) + fraction;
}

}  // namespace

BOOST_AUTO_TEST_CASE(times_format_and_parse_like_the_c_library_across_four_centuries) {
    std::mt19937_64 random(42);
    std::uniform_int_distribution<std::int64_t> any_millis(0, 13'569'465'600'000);  // to 2400
    for (int i = 0; i < 20000; ++i) {
        const auto millis = any_millis(random);
        const auto text = format_rfc3339_millis(millis);
        BOOST_REQUIRE_EQUAL(text, strftime_millis(millis));
        BOOST_REQUIRE_EQUAL(parse_rfc3339_millis(text).value_or(-1), millis);
        BOOST_REQUIRE(is_canonical_rfc3339_millis(text));
    }
    BOOST_TEST(is_canonical_rfc3339_millis("2000-02-29T23:59:59.999Z"));
    for (const char* other :
         {"2001-02-29T00:00:00.000Z", "2026-11-31T00:00:00.000Z", "2026-12-31T23:59:60.000Z",
          "2026-11-24T18:34:00Z", "2026-11-24T19:34:00.123+01:00", "2026-11-24t18:34:00.123Z"}) {
        BOOST_TEST(!is_canonical_rfc3339_millis(other), other);
    }
    // Out-of-range days roll over as timegm rolls them; a leap second is the next second.
    BOOST_TEST(parse_rfc3339_millis("2026-11-31T00:00:00.000Z").value_or(-1) ==
               parse_rfc3339_millis("2026-12-01T00:00:00Z").value_or(-2));
    BOOST_TEST(parse_rfc3339_millis("2026-12-31T23:59:60.000Z").value_or(-1) ==
               parse_rfc3339_millis("2027-01-01T00:00:00Z").value_or(-2));
}

BOOST_AUTO_TEST_CASE(validation_is_safe_from_many_threads_at_once) {
    // Regression: a shared RapidJSON SchemaDocument crashed under concurrent `pattern` checks.
    const auto envelope = order_created();
    std::atomic<int> valid{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                if (!validate_payload("OrderCreated", 1, envelope.payload_json)) ++valid;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(valid.load() == 8000);
}

BOOST_AUTO_TEST_CASE(rfc3339_times_parse_back_to_the_millisecond) {
    const std::int64_t millis = 1'795'000'000'123;
    BOOST_TEST(parse_rfc3339_millis(format_rfc3339_millis(millis)).value_or(-1) == millis);
    BOOST_TEST(parse_rfc3339_millis("2026-11-24T18:34:00Z").value_or(-1) == 1'795'545'240'000);
    BOOST_TEST(parse_rfc3339_millis("2026-11-24T19:34:00.5+01:00").value_or(-1) ==
               1'795'545'240'500);
    for (const char* bad : {"", "2026-11-24", "2026-11-24T18:34:00", "2026-13-24T18:34:00Z",
                            "2026-11-24T18:34:00.Z", "2026-11-24T18:34:00Zjunk"}) {
        BOOST_TEST(!parse_rfc3339_millis(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(a_parse_inside_a_parse_leaves_the_outer_document_intact) {
    // Both come from one thread: the inner one must not reuse the memory the outer one holds.
    const PooledJson outer(R"({"name":"outer","items":[1,2,3]})");
    BOOST_REQUIRE(outer.parsed());
    {
        const PooledJson inner(R"({"name":"inner","other":"x"})");
        BOOST_REQUIRE(inner.parsed());
        BOOST_TEST(std::string(inner.value()["name"].GetString()) == "inner");
    }
    BOOST_TEST(std::string(outer.value()["name"].GetString()) == "outer");
    BOOST_TEST(outer.value()["items"].Size() == 3u);
}

BOOST_AUTO_TEST_CASE(the_next_parse_reuses_the_memory_and_reads_its_own_text) {
    for (int i = 0; i < 3; ++i) {
        const auto text = R"({"n":)" + std::to_string(i) + "}";
        const PooledJson parsed(text);
        BOOST_REQUIRE(parsed.parsed());
        BOOST_TEST(parsed.value()["n"].GetInt() == i);
    }
}

BOOST_AUTO_TEST_CASE(a_document_larger_than_the_pool_parses_whole) {
    std::string text = "[";
    for (int i = 0; i < 20000; ++i) text += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
    text += "]";
    const PooledJson parsed(text);
    BOOST_REQUIRE(parsed.parsed());
    BOOST_TEST(parsed.value().Size() == 20000u);
    BOOST_TEST(std::string(parsed.value()[19999].GetString()) == "19999");
}

BOOST_AUTO_TEST_CASE(unparseable_text_reports_where_it_broke) {
    const PooledJson parsed(R"({"a":1,})");
    BOOST_TEST(!parsed.parsed());
    BOOST_TEST(parsed.error_offset() == 7u);
    BOOST_TEST(parsed.value().IsNull());
}
