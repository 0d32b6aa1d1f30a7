#include <boost/test/unit_test.hpp>

#include "ordersource/core/ids.hpp"

using namespace ordersource::core;

BOOST_AUTO_TEST_CASE(random_uuids_are_canonical_and_distinct) {
    const auto a = new_uuid();
    const auto b = new_uuid();
    BOOST_TEST(is_uuid(a));
    BOOST_TEST(a != b);
    BOOST_TEST(a[14] == '4');  // version nibble
}

BOOST_AUTO_TEST_CASE(derived_uuids_are_stable_per_name_and_differ_between_names) {
    BOOST_TEST(derived_uuid("evt-1:OrderAccepted") == derived_uuid("evt-1:OrderAccepted"));
    BOOST_TEST(derived_uuid("evt-1:OrderAccepted") != derived_uuid("evt-1:PaymentRequested"));
    BOOST_TEST(derived_uuid("x")[14] == '5');
}

BOOST_AUTO_TEST_CASE(uuid_shape_is_checked) {
    BOOST_TEST(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
    BOOST_TEST(!is_uuid("123e4567e89b12d3a456426614174000"));
    BOOST_TEST(!is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
    BOOST_TEST(!is_uuid(""));
}
