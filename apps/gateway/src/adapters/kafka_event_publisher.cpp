#include "adapters/kafka_event_publisher.hpp"

#include <chrono>
#include <memory>

#include "ordersource/metrics/registry.hpp"

namespace ordersource::gateway {

void KafkaEventPublisher::publish(std::string_view topic,
                                  std::string_view key,
                                  const contracts::Envelope& envelope,
                                  Completion done) {
    kafka::OutgoingRecord record{.topic = std::string(topic),
                                 .key = std::string(key),
                                 .value = contracts::to_json(envelope)};
    for (auto& [name, value] : contracts::kafka_headers(envelope)) {
        record.headers.push_back({std::move(name), std::move(value)});
    }
    // Shared so the callback given to the producer and the failure path below can both reach
    // it; exactly one of them calls it.
    auto completion = std::make_shared<Completion>(std::move(done));
    const auto produced = std::chrono::steady_clock::now();
    const auto error = producer_.produce(record, [completion, produced,
                                                  acknowledged = acknowledged_seconds_](
                                                     const kafka::DeliveryReport& report) {
        if (acknowledged) {
            acknowledged->observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - produced).count());
        }
        (*completion)(report.error ? std::optional<std::string>(report.error->message)
                                   : std::nullopt);
    });
    if (error) {
        (*completion)(error->message);
    }
}

}  // namespace ordersource::gateway
