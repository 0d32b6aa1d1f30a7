// The readiness route every service serves: 503 with the failing check named when any check
// is down or throws (a database that cannot answer), 200 only when all pass.
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <stdexcept>

#include "ordersource/http/server.hpp"
#include "ordersource/service/runtime.hpp"
#include "ordersource/testing/http_client.hpp"

using namespace ordersource;
using testing::http_request;

namespace {

struct ServerWithChecks {
    ServerWithChecks() : server(http::ServerSettings{.port = 0, .threads = 1}) {
        service::add_health_routes(server,
                                   {{"database",
                                     [this] {
                                         if (database_fails)
                                             throw std::runtime_error("connection refused");
                                         return true;
                                     }},
                                    {"deadlines", [this] { return deadlines_caught_up.load(); }}});
        server.start();
    }
    testing::HttpResponse get(const std::string& path) {
        return http_request(server.port(), "GET", path);
    }
    std::atomic<bool> database_fails{false};
    std::atomic<bool> deadlines_caught_up{false};
    http::Server server;  // last: stops serving before the flags above go away
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(health_routes, ServerWithChecks)

BOOST_AUTO_TEST_CASE(ready_only_when_every_check_passes_and_each_is_named) {
    auto response = get("/health/ready");
    BOOST_TEST(response.status == 503);
    BOOST_TEST(response.header("content-type") == "application/json");
    BOOST_TEST(response.body ==
               R"({"status":"DOWN","checks":{"database":"UP","deadlines":"DOWN"}})");

    deadlines_caught_up = true;
    response = get("/health/ready");
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.body == R"({"status":"UP","checks":{"database":"UP","deadlines":"UP"}})");
}

BOOST_AUTO_TEST_CASE(a_check_that_throws_is_down_and_liveness_is_unaffected) {
    deadlines_caught_up = true;
    database_fails = true;
    const auto response = get("/health/ready");
    BOOST_TEST(response.status == 503);
    BOOST_TEST(response.body ==
               R"({"status":"DOWN","checks":{"database":"DOWN","deadlines":"UP"}})");
    BOOST_TEST(get("/health/live").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
