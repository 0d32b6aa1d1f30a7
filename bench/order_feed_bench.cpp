// Fills order-created and order-events with synthetic, contract-valid orders (OrderCreated,
// OrderAccepted, PaymentRequested, OrderConfirmed each), for the replay benchmark in
// scripts/bench. Prints one JSON object: {"orders":N,"events":4N,"seconds":S,"avg_bytes":B}.
//   order_feed_bench --orders N     against ORDERSOURCE_KAFKA_BOOTSTRAP
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "adapters/order_event_codec.hpp"
#include "domain/order_submission.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/producer.hpp"

using namespace ordersource;
using namespace std::chrono_literals;

namespace {

std::string envelope(const std::string& order_id,
                     const std::string& type,
                     std::int64_t version,
                     std::string payload,
                     const std::string& occurred_at) {
    return contracts::to_json(contracts::Envelope{.event_id = core::new_uuid(),
                                                  .type = type,
                                                  .schema_version = 1,
                                                  .stream_id = "order-" + order_id,
                                                  .stream_version = version,
                                                  .occurred_at = occurred_at,
                                                  .correlation_id = order_id,
                                                  .causation_id = order_id,
                                                  .payload_json = std::move(payload)});
}

}  // namespace

int main(int argc, char** argv) {
    long orders = 250000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--orders") == 0) orders = std::stol(argv[i + 1]);
    }
    auto config = kafka::properties_from_env();
    config["linger.ms"] = "20";
    kafka::Producer producer(config);
    std::atomic<long> failed{0};
    long bytes = 0;
    const auto send = [&](const std::string& topic, const std::string& key, std::string value) {
        bytes += static_cast<long>(value.size());
        const kafka::OutgoingRecord record{topic, key, std::move(value), {}};
        while (producer.produce(record, [&failed](const kafka::DeliveryReport& report) {
            if (report.error) ++failed;
        })) {
            std::this_thread::sleep_for(1ms);  // local queue full: let deliveries drain
        }
    };
    const auto started = std::chrono::steady_clock::now();
    const auto base = std::chrono::system_clock::now() - std::chrono::hours(1);
    for (long n = 0; n < orders; ++n) {
        const auto order_id = core::new_uuid();
        const auto at = [&](int step) {
            const auto time = base + std::chrono::milliseconds(n * 10 + step);
            return contracts::format_rfc3339_millis(
                std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch())
                    .count());
        };
        const core::Cents price(1250 + n % 1000);
        gateway::OrderSubmission submission{"bench-" + std::to_string(n % 5000),
                                            "USD",
                                            {{"SKU-1", 2, price}},
                                            core::Cents(price.value() * 2)};
        send("order-created", order_id,
             envelope(order_id, "OrderCreated", 0,
                      gateway::order_created_payload(submission, order_id), at(0)));
        std::vector<order::OrderLine> lines{{"SKU-1", 2, price}};
        const order::Event events[] = {
            order::OrderAccepted{order_id, submission.customer_id, "USD", lines, submission.total},
            order::PaymentRequested{order_id, submission.customer_id, submission.total, "USD",
                                    base + std::chrono::hours(2)},
            order::OrderConfirmed{order_id}};
        std::int64_t version = 0;
        for (const auto& event : events) {
            auto encoded = order::encode_event(event);
            ++version;
            auto value = envelope(order_id, encoded.type, version, std::move(encoded.payload_json),
                                  at(static_cast<int>(version)));
            send("order-events", order_id, std::move(value));
        }
    }
    producer.flush(120s);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf(
        "{\"orders\":%ld,\"events\":%ld,\"seconds\":%.3f,\"avg_bytes\":%ld,\"failed\":%ld}\n",
        orders, orders * 4, seconds, bytes / (orders * 4 > 0 ? orders * 4 : 1), failed.load());
    return failed.load() == 0 ? 0 : 1;
}
