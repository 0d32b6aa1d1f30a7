#include "domain/order_submission.hpp"

#include <boost/test/unit_test.hpp>

using namespace ordersource::gateway;

namespace {

std::vector<FieldError> errors_of(std::string_view body) {
    auto result = validate_order_submission(body);
    BOOST_REQUIRE(std::holds_alternative<std::vector<FieldError>>(result));
    return std::get<std::vector<FieldError>>(result);
}

std::vector<std::string> fields_of(std::string_view body) {
    std::vector<std::string> fields;
    for (const auto& error : errors_of(body)) fields.push_back(error.field);
    return fields;
}

}  // namespace

BOOST_AUTO_TEST_CASE(valid_order_is_accepted_with_total_in_cents) {
    const auto result = validate_order_submission(
        R"({"customerId":"c-1","currency":"USD","items":[{"sku":"SKU-1","quantity":2,"unitPrice":"49.99"},{"sku":"B","quantity":1,"unitPrice":"0.02"}]})");
    BOOST_REQUIRE(std::holds_alternative<OrderSubmission>(result));
    const auto& order = std::get<OrderSubmission>(result);
    BOOST_TEST(order.customer_id == "c-1");
    BOOST_TEST(order.items.size() == 2U);
    BOOST_TEST(order.total.value() == 10000);
}

BOOST_AUTO_TEST_CASE(every_bad_field_is_listed_with_its_path) {
    const auto fields = fields_of(
        R"({"customerId":"bad id!","currency":"usd","items":[{"sku":"","quantity":0,"unitPrice":"1.234"},{"sku":"ok","quantity":1001,"unitPrice":"0"}]})");
    const std::vector<std::string> expected{
        "customerId",         "currency",          "items[0].sku",      "items[0].quantity",
        "items[0].unitPrice", "items[1].quantity", "items[1].unitPrice"};
    BOOST_TEST(fields == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(items_must_hold_one_to_one_hundred_lines) {
    BOOST_TEST(fields_of(R"({"customerId":"c","currency":"EUR","items":[]})") ==
                   std::vector<std::string>{"items"},
               boost::test_tools::per_element());
    std::string many = R"({"customerId":"c","currency":"EUR","items":[)";
    for (int i = 0; i < 101; ++i) {
        many += std::string(i ? "," : "") + R"({"sku":"s","quantity":1,"unitPrice":"1"})";
    }
    many += "]}";
    BOOST_TEST(fields_of(many) == std::vector<std::string>{"items"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(wrong_types_and_missing_members_are_field_errors_not_crashes) {
    BOOST_TEST(fields_of(R"({"customerId":5,"currency":["USD"],"items":{"a":1}})").size() == 3U);
    BOOST_TEST(fields_of(R"({})").size() == 3U);
    BOOST_TEST(fields_of(R"([1,2])").size() == 1U);
    BOOST_TEST(fields_of(R"({"customerId":"c","currency":"USD","items":[7]})") ==
                   std::vector<std::string>{"items[0]"},
               boost::test_tools::per_element());
    BOOST_TEST(
        fields_of(
            R"({"customerId":"c","currency":"USD","items":[{"sku":"s","quantity":1.5,"unitPrice":49.99}]})")
            .size() == 2U);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_reported_as_such) {
    BOOST_TEST(std::holds_alternative<MalformedJson>(validate_order_submission("{bad")));
    BOOST_TEST(std::holds_alternative<MalformedJson>(validate_order_submission("")));
}

BOOST_AUTO_TEST_CASE(total_above_the_maximum_is_rejected_without_overflow) {
    std::string body = R"({"customerId":"c","currency":"USD","items":[)";
    for (int i = 0; i < 100; ++i) {
        body += std::string(i ? "," : "") +
                R"({"sku":"s","quantity":1000,"unitPrice":"99999999999.99"})";
    }
    body += "]}";
    BOOST_TEST(fields_of(body) == std::vector<std::string>{"items"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(canonical_form_ignores_formatting_member_order_and_amount_spelling) {
    const auto a = validate_order_submission(
        R"({"customerId":"c-1","currency":"USD","items":[{"sku":"S","quantity":2,"unitPrice":"5"}]})");
    const auto b = validate_order_submission(
        R"({ "items": [ {"unitPrice": "5.00", "quantity": 2, "sku": "S"} ], "currency": "USD", "customerId": "c-1" })");
    const auto c = validate_order_submission(
        R"({"customerId":"c-1","currency":"USD","items":[{"sku":"S","quantity":3,"unitPrice":"5"}]})");
    BOOST_TEST(canonical_form(std::get<OrderSubmission>(a)) ==
               canonical_form(std::get<OrderSubmission>(b)));
    BOOST_TEST(canonical_form(std::get<OrderSubmission>(a)) !=
               canonical_form(std::get<OrderSubmission>(c)));
}
