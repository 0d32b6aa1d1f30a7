#include "order_service_config.hpp"

#include "ordersource/core/config.hpp"
#include "ordersource/kafka/client_config.hpp"

namespace ordersource::order {

OrderServiceConfig OrderServiceConfig::from_env() {
    OrderServiceConfig config;
    config.http.bind_address = core::env_string("ORDER_SERVICE_BIND_ADDRESS", "127.0.0.1");
    config.http.port =
        static_cast<std::uint16_t>(core::env_int("ORDER_SERVICE_PORT", 8081, 0, 65535));
    config.http.threads = 1;
    config.database =
        pg::ConnectionSettings::from_env("ORDER_SERVICE_PG_DATABASE", "order_service");
    config.kafka = kafka::properties_from_env();
    config.consumer_group = core::env_string("ORDER_SERVICE_GROUP", "order-service");
    config.payment_timeout = std::chrono::milliseconds(
        core::env_int("ORDER_PAYMENT_TIMEOUT_MS", 30000, 100, 86'400'000));
    config.deadline_check_interval =
        std::chrono::milliseconds(core::env_int("ORDER_DEADLINE_CHECK_MS", 250, 10, 60'000));
    config.deadline_snapshot_interval = std::chrono::milliseconds(
        core::env_int("ORDER_DEADLINE_SNAPSHOT_MS", 10000, 100, 3'600'000));
    config.shutdown_timeout = std::chrono::milliseconds(
        core::env_int("ORDER_SERVICE_SHUTDOWN_TIMEOUT_MS", 10000, 100, 600'000));
    config.cached_orders =
        static_cast<std::size_t>(core::env_int("ORDER_CACHED_ORDERS", 100'000, 0, 100'000'000));
    config.log_level = core::parse_log_level(core::env_string("LOG_LEVEL", "info"));
    return config;
}

const char* order_service_usage() {
    return R"(ordersource order-service: carries each order through payment as events.

Consumes order-created and payment-events, keeps every order as stream order-<id> in its
PostgreSQL event store, relays the events to order-events, and cancels orders whose payment
does not arrive in time.

Usage: order-service [--help] [--version]

Environment (defaults in brackets):
  ORDER_SERVICE_BIND_ADDRESS   address of the health endpoints [127.0.0.1]
  ORDER_SERVICE_PORT           port of GET /health/live and /health/ready [8081]
  ORDER_SERVICE_PG_DATABASE    database of the event store (schema order_service) [order_service]
  ORDER_SERVICE_GROUP          Kafka consumer group [order-service]
  ORDER_PAYMENT_TIMEOUT_MS     how long an order waits for its payment result [30000]
  ORDER_DEADLINE_CHECK_MS      how often overdue orders are looked for [250]
  ORDER_DEADLINE_SNAPSHOT_MS   how often the index of deadlines is saved; a restart reads
                               the store only from the last save on [10000]
  ORDER_SERVICE_SHUTDOWN_TIMEOUT_MS  how long SIGTERM waits for in-flight work [10000]
  ORDER_CACHED_ORDERS          folded orders kept in memory between batches; 0 reads every
                               order's stream afresh [100000]
  ORDERSOURCE_KAFKA_BOOTSTRAP  Kafka bootstrap servers [127.0.0.1:9092]
  ORDERSOURCE_RDKAFKA_<NAME>   any librdkafka property, '_' -> '.' (e.g. SASL settings)
  ORDERSOURCE_PG_HOST / _PORT / _USER / _PASSWORD   PostgreSQL [127.0.0.1 / 15432 / ordersource / -]
  LOG_LEVEL                    debug | info | warn | error [info]
)";
}

}  // namespace ordersource::order
