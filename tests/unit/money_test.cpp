#include <boost/test/unit_test.hpp>

#include "ordersource/core/money.hpp"

using namespace ordersource::core;

BOOST_AUTO_TEST_CASE(decimal_strings_parse_to_exact_cents) {
    BOOST_TEST(parse_decimal_amount("49.99")->value() == 4999);
    BOOST_TEST(parse_decimal_amount("0.05")->value() == 5);
    BOOST_TEST(parse_decimal_amount("12.3")->value() == 1230);
    BOOST_TEST(parse_decimal_amount("7")->value() == 700);
    BOOST_TEST(parse_decimal_amount("0")->value() == 0);
    BOOST_TEST(parse_decimal_amount("99999999999.99")->value() == kMaxCents);
}

BOOST_AUTO_TEST_CASE(malformed_or_too_precise_amounts_are_rejected) {
    for (const char* bad : {"", ".5", "5.", "1.234", "-1", "+1", "1e3", " 1", "1 ", "1,5",
                            "abc", "100000000000.00", "0x10"}) {
        BOOST_TEST(!parse_decimal_amount(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(cents_format_with_two_decimals) {
    BOOST_TEST(format_decimal_amount(Cents(4999)) == "49.99");
    BOOST_TEST(format_decimal_amount(Cents(5)) == "0.05");
    BOOST_TEST(format_decimal_amount(Cents(100000)) == "1000.00");
    BOOST_TEST(format_decimal_amount(Cents(-120)) == "-1.20");
}

BOOST_AUTO_TEST_CASE(currency_codes_are_three_uppercase_letters) {
    BOOST_TEST(is_currency_code("USD"));
    BOOST_TEST(!is_currency_code("usd"));
    BOOST_TEST(!is_currency_code("US"));
    BOOST_TEST(!is_currency_code("USDX"));
}
