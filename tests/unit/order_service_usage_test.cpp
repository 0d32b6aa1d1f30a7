// The order service's --help names the defaults from_env applies.
#include <boost/test/unit_test.hpp>

#include "order_service_config.hpp"
#include "ordersource/testing/usage_defaults.hpp"

BOOST_AUTO_TEST_CASE(every_default_the_help_names_is_the_one_applied) {
    ordersource::testing::check_usage_defaults(ordersource::order::order_service_usage(),
                                               &ordersource::order::OrderServiceConfig::from_env);
}
