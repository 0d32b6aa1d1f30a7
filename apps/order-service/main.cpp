// Composition root: read config, wire the event store, the consume loop, the relay and the
// deadline watcher, serve health, run until SIGTERM/SIGINT, then drain in order.
#include "app/deadline_watcher.hpp"
#include "app/order_saga.hpp"
#include "order_service_config.hpp"
#include "ordersource/contracts/topics.hpp"
#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/messaging/consumer_metrics.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"
#include "ordersource/relay/event_relay.hpp"
#include "ordersource/relay/store_metrics.hpp"
#include "ordersource/service/runtime.hpp"

using namespace ordersource;

int main(int argc, char** argv) {
    if (auto exit_code = service::handle_command_line(argc, argv, "order-service",
                                                      order::order_service_usage())) {
        return *exit_code;
    }
    core::set_log_service("order-service");
    const auto config = service::read_config<order::OrderServiceConfig>(
        "order-service", [] { return order::OrderServiceConfig::from_env(); });
    if (!config) return 2;
    core::set_log_level(config->log_level);
    const service::StopSignals stop_signals;

    bool clean = true;
    try {
        eventstore::PostgresEventStore store(config->database, config->store_schema);
        metrics::Registry registry;
        auto appended = registry.counter("events_appended_total",
                                         "Events appended to the event store, by type.", {"type"});
        auto terminal = registry.counter("orders_terminal_total",
                                         "Orders that reached a terminal status.", {"status"});
        kafka::Producer producer(relay::relay_producer_config(config->kafka));
        relay::EventRelay relay(
            store, store, producer,
            [](const eventstore::RecordedEvent& event) {
                return event.stream_id.value().substr(std::string_view("order-").size());
            },
            {.name = "order-events",
             .topic = std::string(contracts::topics::kOrderEvents),
             .checkpoint_interval = std::chrono::milliseconds(100)});
        const order::Clock clock = [] { return std::chrono::system_clock::now(); };
        order::OrderSaga saga(
            store, clock, config->payment_timeout,
            [&](const std::string& type) {
                relay.nudge();  // publish now rather than at the relay's next idle poll
                appended.with({type}).inc();
                if (type == "OrderConfirmed") terminal.with({"CONFIRMED"}).inc();
                if (type == "OrderCancelled") terminal.with({"CANCELLED"}).inc();
                if (type == "OrderRefunded") terminal.with({"REFUNDED"}).inc();
            },
            config->cached_orders);
        order::DeadlineWatcher watcher(store, saga, clock, &store);

        auto consumer_config = config->kafka;
        consumer_config["group.id"] = config->consumer_group;
        kafka::Consumer consumer(consumer_config, {std::string(contracts::topics::kOrderCreated),
                                                   std::string(contracts::topics::kPaymentEvents)});
        messaging::DeadLetterPublisher dead_letters(producer);
        messaging::EnvelopeConsumer consume_loop(
            consumer, dead_letters,
            [&saga](const std::vector<messaging::Delivery>& deliveries) {
                std::vector<const contracts::Envelope*> envelopes;
                envelopes.reserve(deliveries.size());
                for (const auto& delivery : deliveries) envelopes.push_back(&delivery.envelope);
                return saga.handle_all(envelopes);
            },
            {.group = config->consumer_group});

        messaging::register_consumer_metrics(registry, config->consumer_group, consume_loop,
                                             consumer);
        relay::register_store_metrics(registry, store, "order-events");
        registry.computed_gauge(
            "deadline_pending_orders",
            "Orders waiting for a payment result, watched for their payment deadline.", {},
            [&watcher] {
                return std::vector<std::pair<metrics::Labels, double>>{
                    {{}, static_cast<double>(watcher.pending())}};
            });
        http::Server http(config->http);
        service::add_metrics_route(http, registry);
        service::add_health_routes(
            http,
            {{"database",
              [&store] {
                  store.load_checkpoint("health-check");  // any round trip will do
                  return true;
              }},
             {"kafka", [&producer] { return producer.broker_reachable(std::chrono::seconds(2)); }},
             // Not ready until overdue orders can be noticed: a rolling restart then
             // waits for the new instance's index before it stops the old one (ADR 20).
             {"deadlines", [&watcher] { return watcher.caught_up(); }}});
        http.start();

        core::log(core::LogLevel::kInfo, "order-service listening",
                  {{"port", std::to_string(http.port())}, {"group", config->consumer_group}});
        // Stop order: input first (its offsets are committed), then the timers, then the
        // relay, which publishes whatever the others stored.
        clean = service::run_until_stopped(
            stop_signals, {{"consumer",
                            [&](std::stop_token stop) {
                                consume_loop.run(stop);
                                consumer.close();
                            }},
                           {"deadlines",
                            [&](std::stop_token stop) {
                                watcher.run(stop, config->deadline_check_interval,
                                            config->deadline_snapshot_interval);
                            }},
                           {"relay", [&](std::stop_token stop) { relay.run(stop); }}});
        if (!producer.flush(config->shutdown_timeout)) {
            core::log(core::LogLevel::kWarn,
                      "records not acknowledged before shutdown; the relay resends them",
                      {{"count", std::to_string(producer.in_flight())}});
        }
        http.shutdown();
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "order-service failed", {{"error", error.what()}});
        return 1;
    }
    core::log(core::LogLevel::kInfo, "stopped");
    return clean ? 0 : 1;
}
