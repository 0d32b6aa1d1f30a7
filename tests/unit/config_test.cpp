#include <boost/test/unit_test.hpp>
#include <cstdlib>

#include "ordersource/core/config.hpp"

using ordersource::core::ConfigError;
using ordersource::core::env_int;
using ordersource::core::env_string;
using ordersource::core::parse_int;

BOOST_AUTO_TEST_CASE(unset_variable_yields_the_default) {
    ::unsetenv("ORDERSOURCE_TEST_UNSET");
    BOOST_TEST(env_string("ORDERSOURCE_TEST_UNSET", "fallback") == "fallback");
    BOOST_TEST(env_int("ORDERSOURCE_TEST_UNSET", 42, 0, 100) == 42);
}

BOOST_AUTO_TEST_CASE(integer_in_range_is_parsed) {
    ::setenv("ORDERSOURCE_TEST_PORT", "8081", 1);
    BOOST_TEST(env_int("ORDERSOURCE_TEST_PORT", 1, 1, 65535) == 8081);
}

BOOST_AUTO_TEST_CASE(garbage_out_of_range_or_trailing_text_is_rejected_naming_the_variable) {
    for (const char* bad : {"abc", "70000", "0", "12x", "-1", " 5"}) {
        try {
            parse_int("GATEWAY_PORT", bad, 1, 65535);
            BOOST_FAIL("accepted " << bad);
        } catch (const ConfigError& error) {
            const std::string message = error.what();
            BOOST_TEST(message.find("GATEWAY_PORT") != std::string::npos);
            BOOST_TEST(message.find("1 to 65535") != std::string::npos);
        }
    }
}
