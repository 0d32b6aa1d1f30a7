// Prints a representative registry (every metric kind, labels that need escaping) so the
// exposition can be checked by a real Prometheus parser (tests/scripts/check_prometheus_text.py).
#include <iostream>

#include "ordersource/metrics/registry.hpp"

int main() {
    using namespace ordersource::metrics;
    Registry registry;
    auto requests = registry.counter("http_requests_total", "HTTP requests by route and status.",
                                     {"route", "status"});
    requests.with({"POST /orders", "202"}).inc(41);
    requests.with({"GET /orders/{id}", "404"}).inc(2);
    auto latency = registry.histogram("http_request_duration_seconds", "HTTP latency.", {"route"});
    for (double seconds : {0.0004, 0.003, 0.02, 0.02, 0.7, 12.0})
        latency.with({"POST /orders"}).observe(seconds);
    registry.gauge("relay_lag_events", "Events stored but not yet acknowledged by Kafka.")
        .with({})
        .set(3);
    registry.counter("dead_letters_total", "Records sent to dead-letters.", {"topic"})
        .with({"we\"ird\\topic\n"})
        .inc();
    registry.computed_gauge(
        "consumer_lag_records", "Records behind the end of each partition.", {"topic", "partition"},
        [] {
            return std::vector<std::pair<Labels, double>>{{{"order-events", "0"}, 5}};
        });
    std::cout << registry.render();
}
