// The payment service's --help names the defaults from_env applies.
#include <boost/test/unit_test.hpp>

#include "ordersource/testing/usage_defaults.hpp"
#include "payment_service_config.hpp"

BOOST_AUTO_TEST_CASE(every_default_the_help_names_is_the_one_applied) {
    ordersource::testing::check_usage_defaults(
        ordersource::payment::payment_service_usage(),
        &ordersource::payment::PaymentServiceConfig::from_env);
}
