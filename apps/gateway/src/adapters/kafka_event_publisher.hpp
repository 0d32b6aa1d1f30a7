#pragma once

#include "app/ports.hpp"
#include "ordersource/kafka/producer.hpp"

namespace ordersource::gateway {

// Publishes envelopes with the idempotent producer: key = the given key (the order id),
// value = the JSON envelope, headers = the envelope's facts.
class KafkaEventPublisher final : public EventPublisher {
  public:
    explicit KafkaEventPublisher(kafka::Producer& producer) : producer_(producer) {}

    void publish(std::string_view topic,
                 std::string_view key,
                 const contracts::Envelope& envelope,
                 Completion done) override;

  private:
    kafka::Producer& producer_;
};

}  // namespace ordersource::gateway
