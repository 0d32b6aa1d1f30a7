// Composition root: read config, wire the notification store, the pattern consumer and the
// HTTP endpoints, run until SIGTERM/SIGINT, then stop consuming (offsets committed) and exit.
#include "adapters/notifications_http.hpp"
#include "adapters/pg_notification_store.hpp"
#include "app/notification_recorder.hpp"
#include "notifier_config.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/messaging/consumer_metrics.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"
#include "ordersource/service/runtime.hpp"

using namespace ordersource;

int main(int argc, char** argv) {
    if (auto exit_code = service::handle_command_line(argc, argv, "notification-observer",
                                                      notifier::notifier_usage())) {
        return *exit_code;
    }
    core::set_log_service("notification-observer");
    const auto config = service::read_config<notifier::NotifierConfig>(
        "notification-observer", [] { return notifier::NotifierConfig::from_env(); });
    if (!config) return 2;
    core::set_log_level(config->log_level);
    const service::StopSignals stop_signals;

    bool clean = true;
    try {
        notifier::PgNotificationStore store(config->database, 2);
        notifier::NotificationRecorder recorder(store);

        kafka::Producer producer(config->kafka);  // for dead letters only
        auto consumer_config = config->kafka;
        consumer_config["group.id"] = config->consumer_group;
        // A new topic matching the pattern is seen within this interval.
        consumer_config["topic.metadata.refresh.interval.ms"] = "5000";
        kafka::Consumer consumer(consumer_config, {config->topic_pattern});
        messaging::DeadLetterPublisher dead_letters(producer);
        // A poll's records in one transaction (ADR 16).
        messaging::EnvelopeConsumer consume_loop(
            consumer, dead_letters,
            messaging::BatchHandler([&recorder](const std::vector<messaging::Delivery>& batch) {
                return recorder.handle(batch);
            }),
            {.group = config->consumer_group,
             .max_batch = config->max_batch,
             .batch_linger = config->batch_linger});

        metrics::Registry registry;
        messaging::register_consumer_metrics(registry, config->consumer_group, consume_loop,
                                             consumer);
        http::Server http(config->http);
        service::add_metrics_route(http, registry);
        notifier::add_notification_routes(http, store);
        service::add_health_routes(
            http, {{"database",
                    [&store] {
                        store.ping();
                        return true;
                    }},
                   {"kafka",
                    [&producer] { return producer.broker_reachable(std::chrono::seconds(2)); }}});
        http.start();
        core::log(core::LogLevel::kInfo, "notification-observer listening",
                  {{"port", std::to_string(http.port())}, {"pattern", config->topic_pattern}});
        clean = service::run_until_stopped(stop_signals, {{"consumer", [&](std::stop_token stop) {
                                                               consume_loop.run(stop);
                                                               consumer.close();
                                                           }}});
        http.shutdown();
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "notification-observer failed",
                  {{"error", error.what()}});
        return 1;
    }
    core::log(core::LogLevel::kInfo, "stopped");
    return clean ? 0 : 1;
}
