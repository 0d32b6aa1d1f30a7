#include "notifier_config.hpp"

#include <regex>

#include "ordersource/core/config.hpp"
#include "ordersource/kafka/client_config.hpp"

namespace ordersource::notifier {

NotifierConfig NotifierConfig::from_env() {
    NotifierConfig config;
    config.http.bind_address = core::env_string("NOTIFIER_BIND_ADDRESS", "127.0.0.1");
    config.http.port = static_cast<std::uint16_t>(core::env_int("NOTIFIER_PORT", 8083, 0, 65535));
    config.http.threads = 1;
    config.database =
        pg::ConnectionSettings::from_env("NOTIFIER_PG_DATABASE", "notification_observer");
    config.kafka = kafka::properties_from_env();
    config.consumer_group = core::env_string("NOTIFIER_GROUP", "notification-observer");
    config.topic_pattern = core::env_string("NOTIFIER_TOPIC_PATTERN", "^(order|payment)-.+");
    config.batch_linger =
        std::chrono::milliseconds(core::env_int("NOTIFIER_BATCH_LINGER_MS", 250, 0, 10000));
    config.max_batch =
        static_cast<std::size_t>(core::env_int("NOTIFIER_MAX_BATCH", 5000, 1, 100000));
    try {
        if (!config.topic_pattern.starts_with('^'))
            throw std::regex_error(std::regex_constants::error_badrepeat);
        std::regex check(config.topic_pattern);
        // The pattern must never match the dead-letter topic: the observer would dead-letter
        // dead letters (they are not envelopes) in a loop.
        if (std::regex_search("dead-letters", check)) {
            throw core::ConfigError("NOTIFIER_TOPIC_PATTERN='" + config.topic_pattern +
                                    "' must not match dead-letters");
        }
    } catch (const std::regex_error&) {
        throw core::ConfigError("NOTIFIER_TOPIC_PATTERN='" + config.topic_pattern +
                                "': expected a regular expression starting with '^'");
    }
    config.log_level = core::parse_log_level(core::env_string("LOG_LEVEL", "info"));
    return config;
}

const char* notifier_usage() {
    return R"(ordersource notification-observer: one notification per customer-facing event.

Subscribes to every project topic by pattern (topics created later are picked up too),
records ACCEPTED, CONFIRMED, CANCELLED and REFUNDED notifications once per event id and
serves them over HTTP.

Usage: notification-observer [--help] [--version]

Environment (defaults in brackets):
  NOTIFIER_BIND_ADDRESS        address to listen on [127.0.0.1]
  NOTIFIER_PORT                port of GET /notifications?orderId=, /health/live, /health/ready [8083]
  NOTIFIER_PG_DATABASE         database of the notifications [notification_observer]
  NOTIFIER_GROUP               Kafka consumer group [notification-observer]
  NOTIFIER_BATCH_LINGER_MS     how long a batch waits for more records [250]
  NOTIFIER_MAX_BATCH           most records recorded in one transaction [5000]
  NOTIFIER_TOPIC_PATTERN       topics to observe, a regex starting with '^' [^(order|payment)-.+]
  ORDERSOURCE_KAFKA_BOOTSTRAP  Kafka bootstrap servers [127.0.0.1:9092]
  ORDERSOURCE_RDKAFKA_<NAME>   any librdkafka property, '_' -> '.' (e.g. SASL settings)
  ORDERSOURCE_PG_HOST / _PORT / _USER / _PASSWORD   PostgreSQL [127.0.0.1 / 15432 / ordersource / -]
  LOG_LEVEL                    debug | info | warn | error [info]
)";
}

}  // namespace ordersource::notifier
