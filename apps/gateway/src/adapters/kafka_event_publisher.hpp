#pragma once

#include "app/ports.hpp"
#include "ordersource/kafka/producer.hpp"

namespace ordersource::metrics {
class Histogram;
}

namespace ordersource::gateway {

// Publishes envelopes with the idempotent producer: key = the given key (the order id),
// value = the JSON envelope, headers = the envelope's facts. `acknowledged_seconds`, when
// given, measures each record from produce() to its delivery report.
class KafkaEventPublisher final : public EventPublisher {
  public:
    explicit KafkaEventPublisher(kafka::Producer& producer,
                                 metrics::Histogram* acknowledged_seconds = nullptr)
        : producer_(producer), acknowledged_seconds_(acknowledged_seconds) {}

    void publish(std::string_view topic,
                 std::string_view key,
                 const contracts::Envelope& envelope,
                 Completion done) override;

  private:
    kafka::Producer& producer_;
    metrics::Histogram* acknowledged_seconds_;
};

}  // namespace ordersource::gateway
