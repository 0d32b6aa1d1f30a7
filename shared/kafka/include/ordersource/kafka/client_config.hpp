#pragma once

#include <stdexcept>

#include "ordersource/kafka/record.hpp"

namespace ordersource::kafka {

// Thrown when a client cannot be created (bad configuration): an unrecoverable start-up
// failure, so an exception rather than a value (docs/adr/0003-errors.md).
class KafkaError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// bootstrap.servers from ORDERSOURCE_KAFKA_BOOTSTRAP (default 127.0.0.1:9092), plus every
// ORDERSOURCE_RDKAFKA_<NAME>=value as property <name> with '_' -> '.' (security settings
// such as ORDERSOURCE_RDKAFKA_SASL_PASSWORD pass through to librdkafka unchanged).
Properties properties_from_env();

// True for property names whose values must never be logged.
bool is_secret_property(std::string_view name);

}  // namespace ordersource::kafka
