#include "payment_service_config.hpp"

#include <cstdlib>

#include "ordersource/core/config.hpp"
#include "ordersource/kafka/client_config.hpp"

namespace ordersource::payment {
namespace {

double env_rate(const char* name, double fallback) {
    const auto text = core::env_string(name, "");
    if (text.empty()) return fallback;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(value >= 0.0 && value <= 1.0)) {
        throw core::ConfigError(std::string(name) + "='" + text +
                                "': expected a number from 0 to 1");
    }
    return value;
}

core::Cents env_amount(const char* name, const char* fallback) {
    const auto text = core::env_string(name, fallback);
    const auto amount = core::parse_decimal_amount(text);
    if (!amount || *amount <= core::Cents(0)) {
        throw core::ConfigError(
            std::string(name) + "='" + text +
            "': expected a positive decimal amount with at most 2 decimals, e.g. 1000.00");
    }
    return *amount;
}

}  // namespace

PaymentServiceConfig PaymentServiceConfig::from_env() {
    PaymentServiceConfig config;
    config.http.bind_address = core::env_string("PAYMENT_SERVICE_BIND_ADDRESS", "127.0.0.1");
    config.http.port =
        static_cast<std::uint16_t>(core::env_int("PAYMENT_SERVICE_PORT", 8082, 0, 65535));
    config.http.threads = 1;
    config.database =
        pg::ConnectionSettings::from_env("PAYMENT_SERVICE_PG_DATABASE", "payment_service");
    config.kafka = kafka::properties_from_env();
    config.consumer_group = core::env_string("PAYMENT_SERVICE_GROUP", "payment-service");
    config.credit_limit = env_amount("PAYMENT_CREDIT_LIMIT", "1000.00");
    config.decline_rate = env_rate("PAYMENT_DECLINE_RATE", 0.0);
    config.delay = std::chrono::milliseconds(core::env_int("PAYMENT_DELAY_MS", 0, 0, 600'000));
    config.shutdown_timeout = std::chrono::milliseconds(
        core::env_int("PAYMENT_SERVICE_SHUTDOWN_TIMEOUT_MS", 10000, 100, 600'000));
    config.cached_accounts =
        static_cast<std::size_t>(core::env_int("PAYMENT_CACHED_ACCOUNTS", 100'000, 0, 100'000'000));
    config.snapshot_every = core::env_int("PAYMENT_SNAPSHOT_EVERY", 100, 0, 100'000'000);
    config.log_level = core::parse_log_level(core::env_string("LOG_LEVEL", "info"));
    return config;
}

const char* payment_service_usage() {
    return R"(ordersource payment-service: authorizes, declines and refunds order payments.

Consumes order-events (PaymentRequested, RefundRequested), keeps each customer's credit
account as stream account-<customerId> in its PostgreSQL event store, and relays the
decisions to payment-events (key = order id).

Usage: payment-service [--help] [--version]

Environment (defaults in brackets):
  PAYMENT_SERVICE_BIND_ADDRESS address of the health endpoints [127.0.0.1]
  PAYMENT_SERVICE_PORT         port of GET /health/live and /health/ready [8082]
  PAYMENT_SERVICE_PG_DATABASE  database of the event store (schema payment_service) [payment_service]
  PAYMENT_SERVICE_GROUP        Kafka consumer group [payment-service]
  PAYMENT_CREDIT_LIMIT         every customer's credit limit, decimal [1000.00]
  PAYMENT_DECLINE_RATE         share of payments declined at random, 0-1 (chaos runs) [0]
  PAYMENT_DELAY_MS             simulated provider latency per payment [0]
  PAYMENT_SERVICE_SHUTDOWN_TIMEOUT_MS  how long SIGTERM waits for in-flight work [10000]
  PAYMENT_CACHED_ACCOUNTS      folded customer accounts kept in memory between batches; 0
                               reads every account's stream afresh [100000]
  PAYMENT_SNAPSHOT_EVERY       events between snapshots of an account, so a cold load reads
                               only the events after its snapshot; 0 saves none [100]
  ORDERSOURCE_KAFKA_BOOTSTRAP  Kafka bootstrap servers [127.0.0.1:9092]
  ORDERSOURCE_RDKAFKA_<NAME>   any librdkafka property, '_' -> '.' (e.g. SASL settings)
  ORDERSOURCE_PG_HOST / _PORT / _USER / _PASSWORD   PostgreSQL [127.0.0.1 / 15432 / ordersource / -]
  LOG_LEVEL                    debug | info | warn | error [info]
)";
}

}  // namespace ordersource::payment
