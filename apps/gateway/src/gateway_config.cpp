#include "gateway_config.hpp"

#include "ordersource/core/config.hpp"
#include "ordersource/kafka/client_config.hpp"

namespace ordersource::gateway {

GatewayConfig GatewayConfig::from_env() {
    GatewayConfig config;
    config.http.bind_address = core::env_string("GATEWAY_BIND_ADDRESS", "127.0.0.1");
    config.http.port = static_cast<std::uint16_t>(core::env_int("GATEWAY_PORT", 8080, 0, 65535));
    config.http.threads = static_cast<int>(core::env_int("GATEWAY_THREADS", 2, 1, 64));
    config.http.max_body_bytes =
        static_cast<std::size_t>(core::env_int("GATEWAY_MAX_BODY_BYTES", 65536, 1024, 1 << 20));
    config.kafka = kafka::properties_from_env();
    // Well below Pistache's 60 s body timeout, so a client never gets a 408 for an order
    // that Kafka acknowledges later (PITFALLS.md).
    config.kafka["message.timeout.ms"] =
        std::to_string(core::env_int("GATEWAY_KAFKA_ACK_TIMEOUT_MS", 10000, 1000, 50000));
    config.database = pg::ConnectionSettings::from_env("GATEWAY_PG_DATABASE", "gateway");
    config.read_model_group = core::env_string("GATEWAY_READ_MODEL_GROUP", "gateway-read-model");
    config.read_model_linger =
        std::chrono::milliseconds(core::env_int("GATEWAY_READ_MODEL_LINGER_MS", 250, 0, 10000));
    config.read_model_max_batch =
        static_cast<std::size_t>(core::env_int("GATEWAY_READ_MODEL_MAX_BATCH", 5000, 1, 100000));
    config.read_model_cached_rows = static_cast<std::size_t>(
        core::env_int("GATEWAY_READ_MODEL_CACHED_ROWS",
                      static_cast<std::int64_t>(config.read_model_cached_rows), 0, 10000000));
    config.claim_linger =
        std::chrono::microseconds(core::env_int("GATEWAY_CLAIM_LINGER_US", 2000, 0, 1000000));
    config.log_level = core::parse_log_level(core::env_string("LOG_LEVEL", "info"));
    config.shutdown_timeout =
        std::chrono::milliseconds(core::env_int("GATEWAY_SHUTDOWN_TIMEOUT_MS", 10000, 100, 600000));
    return config;
}

const char* gateway_usage() {
    return R"(ordersource gateway: takes orders over HTTP and publishes OrderCreated to Kafka;
answers GET /orders/<id> from a read model fed by order-created and order-events.

Usage: gateway [--help] [--version]

Environment (defaults in brackets):
  GATEWAY_BIND_ADDRESS         address to listen on [127.0.0.1]
  GATEWAY_PORT                 port, 0 = any free port [8080]
  GATEWAY_THREADS              HTTP worker threads [2]
  GATEWAY_MAX_BODY_BYTES       largest accepted body; larger gets 413 [65536]
  GATEWAY_KAFKA_ACK_TIMEOUT_MS how long an order may wait for Kafka's ack before 503 [10000]
  GATEWAY_SHUTDOWN_TIMEOUT_MS  how long SIGTERM waits for in-flight orders [10000]
  GATEWAY_PG_DATABASE          database of Idempotency-Keys and the order read model [gateway]
  GATEWAY_READ_MODEL_GROUP     consumer group feeding GET /orders/<id> [gateway-read-model]
  GATEWAY_READ_MODEL_LINGER_MS how long the read model waits to fill a batch [250]
  GATEWAY_READ_MODEL_MAX_BATCH most records the read model applies in one transaction [5000]
  GATEWAY_READ_MODEL_CACHED_ROWS  order summaries the read model keeps to write again
                               without reading them back, 0 = none [20000]
  GATEWAY_CLAIM_LINGER_US      how long an Idempotency-Key claim waits for others to share
                               its commit, in microseconds [2000]
  ORDERSOURCE_KAFKA_BOOTSTRAP  Kafka bootstrap servers [127.0.0.1:9092]
  ORDERSOURCE_RDKAFKA_<NAME>   any librdkafka property, '_' -> '.' (e.g. SASL settings)
  ORDERSOURCE_PG_HOST / _PORT / _USER / _PASSWORD   PostgreSQL [127.0.0.1 / 15432 / ordersource / -]
  LOG_LEVEL                    debug | info | warn | error [info]
)";
}

}  // namespace ordersource::gateway
