// Fills the order-service's event store (schema order_service) with synthetic order streams
// encoded exactly as the order-service encodes them (order::encode_event): OrderAccepted v2
// with createdAt and PaymentRequested in one append, the outcome in a later one (80%
// OrderConfirmed, 15% OrderCancelled PAYMENT_DECLINED, 5% OrderCancelled TIMEOUT followed by
// RefundRequested and OrderRefunded), interleaved across transactions as a busy service
// commits them. For the replay benchmark in scripts/bench. Prints one JSON object:
// {"orders":N,"events":E,"seconds":S}.
//   order_store_bench --events N [--schema order_service]   against ORDER_SERVICE_PG_DATABASE
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/order_event_codec.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/eventstore/postgres_event_store.hpp"

using namespace ordersource;
namespace es = ordersource::eventstore;

namespace {

constexpr long kRound = 512;  // orders per round (one append_many call)
constexpr int kLanes = 2;     // concurrent writers: group commit shares their commits

struct Order {
    std::string id;
    std::string customer;
    core::Cents price;
    long n = 0;
};

order::TimePoint time_of(order::TimePoint base, long n, int step) {
    return base + std::chrono::milliseconds(n * 3 + step);
}

es::NewEvent new_event(const order::Event& event, const Order& order) {
    auto encoded = order::encode_event(event);
    return {es::EventId{core::new_uuid()}, std::move(encoded.type), encoded.schema_version,
            std::move(encoded.payload_json), es::EventMetadata{order.id, order.id}};
}

es::AppendRequest request(const Order& order,
                          std::int64_t expected,
                          const std::vector<order::Event>& events) {
    es::AppendRequest append{es::StreamId{"order-" + order.id},
                             expected == 0
                                 ? es::ExpectedVersion{es::NoStream{}}
                                 : es::ExpectedVersion{es::Exact{es::StreamVersion{expected}}},
                             {}};
    for (const auto& event : events) append.events.push_back(new_event(event, order));
    return append;
}

// One lane: rounds of kRound orders; each round also carries the outcomes of the previous
// round and the refunds of the one before, so an order's events span transactions.
long fill_lane(es::PostgresEventStore& store, int lane, long orders, order::TimePoint base) {
    long events = 0;
    std::vector<Order> previous, before_previous;
    for (long first = 0; first < orders + 2 * kRound; first += kRound) {
        std::vector<Order> current;
        std::vector<es::AppendRequest> requests;
        for (long i = first; i < std::min(first + kRound, orders); ++i) {
            const long n = i * kLanes + lane;
            Order order{core::new_uuid(), "bench-" + std::to_string(n % 5000),
                        core::Cents(1250 + n % 1000), n};
            const std::vector<order::OrderLine> lines{{"SKU-1", 2, order.price}};
            const core::Cents total(order.price.value() * 2);
            requests.push_back(
                request(order, 0,
                        {order::OrderAccepted{order.id, order.customer, "USD", lines, total,
                                              time_of(base, n, 0)},
                         order::PaymentRequested{order.id, order.customer, total, "USD",
                                                 time_of(base, n, 0) + std::chrono::seconds(30)}}));
            current.push_back(std::move(order));
        }
        for (const auto& order : previous) {
            const auto kind = order.n % 20;
            if (kind < 16) {
                requests.push_back(request(order, 2, {order::OrderConfirmed{order.id}}));
            } else {
                const auto reason = kind < 19 ? order::CancellationReason::kPaymentDeclined
                                              : order::CancellationReason::kTimeout;
                requests.push_back(request(order, 2, {order::OrderCancelled{order.id, reason}}));
            }
        }
        for (const auto& order : before_previous) {
            if (order.n % 20 != 19) continue;
            const core::Cents total(order.price.value() * 2);
            requests.push_back(
                request(order, 3,
                        {order::RefundRequested{order.id, order.customer, total, "USD"},
                         order::OrderRefunded{order.id}}));
        }
        if (!requests.empty()) {
            for (const auto& outcome : store.append_many(requests)) {
                if (!std::holds_alternative<es::AppendResult>(outcome)) {
                    throw std::runtime_error("append failed: " + es::describe(outcome));
                }
            }
        }
        for (const auto& append : requests) events += static_cast<long>(append.events.size());
        before_previous = std::move(previous);
        previous = std::move(current);
    }
    return events;
}

}  // namespace

int main(int argc, char** argv) {
    long target_events = 1000000;
    std::string schema = "order_service";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--events") == 0) target_events = std::stol(argv[i + 1]);
        if (std::strcmp(argv[i], "--schema") == 0) schema = argv[i + 1];
    }
    // 3.1 events per order on average (95% 3, 5% 5).
    const long orders = (target_events * 10 + 30) / 31;
    const long per_lane = (orders + kLanes - 1) / kLanes;
    try {
        es::PostgresEventStore store(
            pg::ConnectionSettings::from_env("ORDER_SERVICE_PG_DATABASE", "order_service"), schema,
            {.max_connections = kLanes, .max_concurrent_groups = kLanes, .max_group_events = 4096});
        const auto started = std::chrono::steady_clock::now();
        const auto base = std::chrono::system_clock::now() - std::chrono::hours(24);
        std::vector<long> events(kLanes, 0);
        std::vector<std::exception_ptr> errors(kLanes);
        {
            std::vector<std::jthread> lanes;
            for (int lane = 0; lane < kLanes; ++lane) {
                lanes.emplace_back([&, lane] {
                    try {
                        events[static_cast<std::size_t>(lane)] =
                            fill_lane(store, lane, per_lane, base);
                    } catch (...) {
                        errors[static_cast<std::size_t>(lane)] = std::current_exception();
                    }
                });
            }
        }
        for (const auto& error : errors) {
            if (error) std::rethrow_exception(error);
        }
        long total = 0;
        for (const auto count : events) total += count;
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::printf("{\"orders\":%ld,\"events\":%ld,\"seconds\":%.3f}\n", per_lane * kLanes, total,
                    seconds);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "order_store_bench: %s\n", error.what());
        return 1;
    }
    return 0;
}
