// The Prometheus exposition the services serve: exact text for a small registry, cumulative
// buckets, escaping, concurrent updates, and names that are refused.
#include <boost/test/unit_test.hpp>
#include <thread>

#include "ordersource/metrics/registry.hpp"

using namespace ordersource::metrics;

BOOST_AUTO_TEST_CASE(renders_help_type_and_samples_in_registration_order) {
    Registry registry;
    auto requests = registry.counter("http_requests_total", "HTTP requests.", {"route", "status"});
    auto lag = registry.gauge("relay_lag_events", "Stored, not yet acknowledged by Kafka.");
    requests.with({"POST /orders", "202"}).inc(3);
    requests.with({"GET /health/live", "200"}).inc();
    lag.with({}).set(7);
    BOOST_TEST(registry.render() ==
               "# HELP http_requests_total HTTP requests.\n"
               "# TYPE http_requests_total counter\n"
               "http_requests_total{route=\"GET /health/live\",status=\"200\"} 1\n"
               "http_requests_total{route=\"POST /orders\",status=\"202\"} 3\n"
               "# HELP relay_lag_events Stored, not yet acknowledged by Kafka.\n"
               "# TYPE relay_lag_events gauge\n"
               "relay_lag_events 7\n");
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_with_inf_sum_and_count) {
    Registry registry;
    auto latency = registry.histogram("request_seconds", "Latency.", {}, {0.1, 1});
    auto& histogram = latency.with({});
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(0.5);
    histogram.observe(5);
    BOOST_TEST(registry.render() ==
               "# HELP request_seconds Latency.\n"
               "# TYPE request_seconds histogram\n"
               "request_seconds_bucket{le=\"0.10000000000000001\"} 1\n"
               "request_seconds_bucket{le=\"1\"} 3\n"
               "request_seconds_bucket{le=\"+Inf\"} 4\n"
               "request_seconds_sum 6.0499999999999998\n"
               "request_seconds_count 4\n");
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped_and_computed_gauges_sampled_at_scrape) {
    Registry registry;
    registry.counter("odd_total", "Odd labels.", {"v"}).with({"a\"b\\c\nd"}).inc();
    int scrapes = 0;
    registry.computed_gauge("lag", "Computed.", {"partition"}, [&scrapes] {
        ++scrapes;
        return std::vector<std::pair<Labels, double>>{{{"0"}, 2}, {{"1"}, 0}};
    });
    const auto text = registry.render();
    BOOST_TEST(text.find("odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n") != std::string::npos);
    BOOST_TEST(text.find("lag{partition=\"0\"} 2\nlag{partition=\"1\"} 0\n") != std::string::npos);
    BOOST_TEST(scrapes == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_increments_all_count) {
    Registry registry;
    auto family = registry.counter("events_total", "Events.", {"type"});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&family] {
            for (int i = 0; i < 10000; ++i) family.with({i % 2 ? "A" : "B"}).inc();
        });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(family.with({"A"}).value() + family.with({"B"}).value() == 40000u);
}

BOOST_AUTO_TEST_CASE(invalid_and_duplicate_names_are_refused) {
    Registry registry;
    BOOST_CHECK_THROW(registry.counter("9lives", "x"), std::invalid_argument);
    BOOST_CHECK_THROW(registry.counter("ok_total", "x", {"le"}), std::invalid_argument);
    BOOST_CHECK_THROW(registry.counter("ok_total", "x", {"bad-label"}), std::invalid_argument);
    registry.counter("ok_total", "x");
    BOOST_CHECK_THROW(registry.gauge("ok_total", "x"), std::invalid_argument);
    BOOST_CHECK_THROW(registry.counter("ok2_total", "x", {"a"}).with({"1", "2"}),
                      std::invalid_argument);
}
