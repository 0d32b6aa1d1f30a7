// The shared HTTP server over a real loopback socket: routing, problems for unknown routes,
// wrong methods and large bodies, query decoding, and answers completed from another thread.
#include <boost/test/unit_test.hpp>
#include <thread>

#include "ordersource/http/server.hpp"
#include "ordersource/testing/http_client.hpp"

using namespace ordersource;
using testing::http_request;

namespace {

struct RunningServer {
    RunningServer()
        : server(http::ServerSettings{.port = 0, .threads = 1, .max_body_bytes = 1024}) {
        server.route("GET", "/health/live", [](const http::Request&) {
            return http::json_response(200, R"({"status":"UP"})");
        });
        server.route("GET", "/echo", [](const http::Request& request) {
            return http::json_response(
                200, std::string(request.query_param("q").value_or("<none>")) + "|" +
                         std::string(request.header("x-thing").value_or("<none>")));
        });
        server.route("GET", "/orders/*", [](const http::Request& request) {
            return http::json_response(200, request.path);
        });
        server.route("POST", "/orders", [](const http::Request& request) {
            return http::json_response(201, request.body);
        });
        server.route_async("GET", "/later", [](const http::Request&, http::Responder respond) {
            std::thread([respond] {
                respond(http::json_response(200, "from another thread"));
            }).detach();
        });
        server.route_async("GET", "/dropped", [](const http::Request&, const http::Responder&) {});
        server.start();
    }
    testing::HttpResponse get(const std::string& path,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
        return http_request(server.port(), "GET", path, headers);
    }
    http::Server server;
};

void require_problem(const testing::HttpResponse& response, int status) {
    BOOST_TEST(response.status == status);
    BOOST_TEST(response.header("content-type") == "application/problem+json");
    BOOST_TEST(response.body.find("\"status\":" + std::to_string(status)) != std::string::npos);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_server, RunningServer)

BOOST_AUTO_TEST_CASE(exact_route_answers_json) {
    const auto response = get("/health/live");
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.header("content-type") == "application/json");
    BOOST_TEST(response.body == R"({"status":"UP"})");
}

BOOST_AUTO_TEST_CASE(query_values_are_decoded_and_header_names_case_insensitive) {
    const auto response = get("/echo?q=2026-11-24T10%3A00%3A00Z&other=1", {{"X-Thing", "yes"}});
    BOOST_TEST(response.body == "2026-11-24T10:00:00Z|yes");
    BOOST_TEST(get("/echo").body == "<none>|<none>");
}

BOOST_AUTO_TEST_CASE(prefix_route_matches_below_it_but_not_itself) {
    BOOST_TEST(get("/orders/abc").body == "/orders/abc");
    const auto exact = get("/orders");  // only POST is routed there
    require_problem(exact, 405);
    BOOST_TEST(exact.header("allow") == "POST");
}

BOOST_AUTO_TEST_CASE(unknown_route_is_404_and_wrong_method_405_with_allow) {
    require_problem(get("/nope"), 404);
    const auto wrong = http_request(server.port(), "DELETE", "/health/live");
    require_problem(wrong, 405);
    BOOST_TEST(wrong.header("allow") == "GET");
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_413_before_the_handler) {
    require_problem(http_request(server.port(), "POST", "/orders", {}, std::string(2000, 'x')),
                    413);
    BOOST_TEST(http_request(server.port(), "POST", "/orders", {}, "small").status == 201);
}

BOOST_AUTO_TEST_CASE(async_answer_from_another_thread_and_a_dropped_one_gets_500) {
    const auto later = get("/later");
    BOOST_TEST(later.status == 200);
    BOOST_TEST(later.body == "from another thread");
    require_problem(get("/dropped"), 500);
}

BOOST_AUTO_TEST_CASE(problem_body_lists_field_errors) {
    const auto problem = http::problem_response(400, "validation-error", "Invalid", "2 bad",
                                                {{"limit", "1-100"}, {"status", "unknown"}});
    BOOST_TEST(problem.content_type == "application/problem+json");
    BOOST_TEST(problem.body ==
               R"({"type":"/problems/validation-error","title":"Invalid","status":400,)"
               R"("detail":"2 bad","errors":[{"field":"limit","message":"1-100"},)"
               R"({"field":"status","message":"unknown"}]})");
}

BOOST_AUTO_TEST_SUITE_END()
