// Composition root: read config, wire adapters, serve until SIGTERM/SIGINT, drain, exit.
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "adapters/http_api.hpp"
#include "adapters/kafka_event_publisher.hpp"
#include "adapters/pg_idempotency_store.hpp"
#include "adapters/pg_order_view_store.hpp"
#include "app/order_projector.hpp"
#include "clock.hpp"
#include "gateway_config.hpp"
#include "ordersource/contracts/topics.hpp"
#include "ordersource/core/config.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/core/thread_name.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/messaging/consumer_metrics.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"
#include "ordersource/metrics/registry.hpp"
#include "ordersource/service/runtime.hpp"

using namespace ordersource;

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "gateway " << ORDERSOURCE_VERSION << "\n";
        return 0;
    }
    if (argc > 1) {
        std::cout << gateway::gateway_usage();
        return std::strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    core::set_log_service("gateway");
    gateway::GatewayConfig config;
    try {
        config = gateway::GatewayConfig::from_env();
    } catch (const core::ConfigError& error) {
        std::cerr << "gateway: " << error.what() << "\n";
        return 2;
    }
    core::set_log_level(config.log_level);

    // Block the stop signals in every thread started from here on; sigwait takes them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        metrics::Registry registry;
        // Where an order's 202 waits: its Idempotency-Key claim, then Kafka's acknowledgement.
        const auto timing = [&](std::string name, std::string help) -> metrics::Histogram& {
            return registry.histogram(std::move(name), std::move(help)).with({});
        };
        auto& claim_seconds =
            timing("gateway_idempotency_claim_seconds",
                   "Idempotency-Key claims, from queueing to the database's answer.");
        auto& claim_write_seconds =
            timing("gateway_idempotency_claim_write_seconds",
                   "Batches of Idempotency-Key claims: one statement and its commit.");
        auto& acknowledged_seconds =
            timing("gateway_order_publish_seconds",
                   "OrderCreated records, from produce to the broker's acknowledgement.");
        auto claims_database = config.database;
        claims_database.application_name = "gateway idempotency claims";
        gateway::PgIdempotencyStore idempotency(claims_database, {.linger = config.claim_linger},
                                                {&claim_seconds, &claim_write_seconds});
        kafka::Producer producer(config.kafka);
        gateway::KafkaEventPublisher publisher(producer, &acknowledged_seconds);
        const gateway::SystemClock clock;
        gateway::OrderIntake intake(idempotency, publisher, clock, core::new_uuid);
        gateway::PgOrderViewStore order_views(config.database, 2, {},
                                              config.read_model_cached_rows);
        gateway::OrderProjector projector(order_views);
        auto consumer_config = config.kafka;
        consumer_config["group.id"] = config.read_model_group;
        kafka::Consumer consumer(consumer_config, {std::string(contracts::topics::kOrderCreated),
                                                   std::string(contracts::topics::kOrderEvents)});
        messaging::DeadLetterPublisher dead_letters(producer);
        // A poll's records in one transaction (ADR 16), lingering to fill it (ADR 23).
        messaging::EnvelopeConsumer projecting(
            consumer, dead_letters,
            messaging::BatchHandler([&projector](const std::vector<messaging::Delivery>& batch) {
                return projector.handle(batch);
            }),
            {.group = config.read_model_group,
             .max_batch = config.read_model_max_batch,
             .batch_linger = config.read_model_linger});
        std::jthread read_model([&projecting, &consumer](std::stop_token stop) {
            core::name_this_thread("read-model");
            projecting.run(stop);
            consumer.close();
        });

        gateway::HttpApi http(config.http, intake, order_views);
        messaging::register_consumer_metrics(registry, config.read_model_group, projecting,
                                             consumer);
        // The order views apply records in order and store their offsets with the rows, so
        // the projecting consumer's lag is how far the views' checkpoint trails the topics.
        registry.computed_gauge(
            "projection_checkpoint_lag_records",
            "Records on order-created and order-events not yet applied to the order views.",
            {"projection"}, [&consumer] {
                double behind = 0;
                for (const auto& partition : consumer.lag())
                    behind += static_cast<double>(partition.lag);
                return std::vector<std::pair<metrics::Labels, double>>{{{"order-views"}, behind}};
            });
        service::add_metrics_route(http.server(), registry);
        service::add_health_routes(http.server(),
                                   {{"database",
                                     [&order_views] {
                                         order_views.ping();
                                         return true;
                                     }},
                                    {"kafka", [&producer] {
                                         return producer.broker_reachable(std::chrono::seconds(2));
                                     }}});
        http.start();
        core::log(core::LogLevel::kInfo, "gateway listening",
                  {{"address", config.http.bind_address}, {"port", std::to_string(http.port())}});

        int signal = 0;
        sigwait(&stop_signals, &signal);
        core::log(core::LogLevel::kInfo, "stopping", {{"signal", strsignal(signal)}});
        http.stop_accepting_orders();
        read_model.request_stop();
        read_model.join();
        if (!producer.flush(config.shutdown_timeout)) {
            core::log(core::LogLevel::kWarn, "in-flight orders not acknowledged before shutdown",
                      {{"count", std::to_string(producer.in_flight())}});
            producer.purge();  // their clients get 503 from the delivery callbacks
            producer.flush(std::chrono::milliseconds(1000));
        }
        http.shutdown();
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "gateway failed", {{"error", error.what()}});
        return 1;
    }
    core::log(core::LogLevel::kInfo, "stopped");
    return 0;
}
