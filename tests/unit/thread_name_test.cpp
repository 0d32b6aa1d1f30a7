#include "ordersource/core/thread_name.hpp"

#include <boost/test/unit_test.hpp>
#include <string>
#include <string_view>
#include <thread>

using namespace ordersource::core;

namespace {
// The name a fresh thread reads back after naming itself.
std::string name_read_back(std::string_view given) {
    std::string seen;
    std::thread([&] {
        name_this_thread(given);
        seen = this_thread_name();
    }).join();
    return seen;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_thread_carries_the_name_it_was_given) {
    BOOST_TEST(name_read_back("claims-writer") == "claims-writer");
}

// pthread_setname_np refuses a name over 15 bytes outright (ERANGE), which would leave the
// thread unnamed: the helper keeps the first 15 instead.
BOOST_AUTO_TEST_CASE(a_name_longer_than_the_kernel_keeps_is_cut_not_dropped) {
    BOOST_TEST(name_read_back("payment-events-relay") == "payment-events-");
}

BOOST_AUTO_TEST_CASE(naming_one_thread_leaves_the_others_alone) {
    const auto before = this_thread_name();
    BOOST_TEST(name_read_back("elsewhere") == "elsewhere");
    BOOST_TEST(this_thread_name() == before);
}
