#include "ordersource/core/ids.hpp"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace ordersource::core;

BOOST_AUTO_TEST_CASE(random_uuids_are_canonical_and_distinct) {
    const auto a = new_uuid();
    const auto b = new_uuid();
    BOOST_TEST(is_uuid(a));
    BOOST_TEST(a != b);
    BOOST_TEST(a[14] == '4');  // version nibble
}

// Past several refills of the per-thread random buffer, and on two threads at once: every id
// is a version-4, RFC 4122-variant uuid and none repeats.
BOOST_AUTO_TEST_CASE(random_uuids_stay_distinct_across_buffer_refills_and_threads) {
    constexpr int kPerThread = 2000;
    std::vector<std::string> first, second;
    {
        std::jthread other([&second] {
            for (int i = 0; i < kPerThread; ++i) second.push_back(new_uuid());
        });
        for (int i = 0; i < kPerThread; ++i) first.push_back(new_uuid());
    }
    std::set<std::string> seen;
    for (const auto* ids : {&first, &second}) {
        for (const auto& id : *ids) {
            BOOST_TEST(is_uuid(id));
            BOOST_TEST(id[14] == '4');
            BOOST_TEST(std::string("89ab").find(id[19]) != std::string::npos);
            seen.insert(id);
        }
    }
    BOOST_TEST(seen.size() == 2U * kPerThread);
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
