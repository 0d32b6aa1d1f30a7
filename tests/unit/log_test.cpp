#include <boost/test/unit_test.hpp>

#include "ordersource/core/config.hpp"
#include "ordersource/core/log.hpp"

using namespace ordersource::core;

BOOST_AUTO_TEST_CASE(json_escape_escapes_quotes_backslashes_and_control_characters) {
    BOOST_TEST(json_escape("a\"b\\c\nd\te") == "a\\\"b\\\\c\\nd\\te");
    BOOST_TEST(json_escape(std::string("x\x01y", 3)) == "x\\u0001y");
    BOOST_TEST(json_escape("plain") == "plain");
}

BOOST_AUTO_TEST_CASE(log_levels_parse_and_unknown_level_is_a_config_error) {
    BOOST_TEST((parse_log_level("debug") == LogLevel::kDebug));
    BOOST_TEST((parse_log_level("error") == LogLevel::kError));
    BOOST_CHECK_THROW(parse_log_level("verbose"), ConfigError);
}
