// Composition root: read config, wire the event store, the consume loop and the relay, serve
// health, run until SIGTERM/SIGINT, then drain in order.
#include <random>
#include <thread>

#include "app/payment_processor.hpp"
#include "ordersource/contracts/topics.hpp"
#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/messaging/consumer_metrics.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"
#include "ordersource/relay/event_relay.hpp"
#include "ordersource/relay/store_metrics.hpp"
#include "ordersource/service/runtime.hpp"
#include "payment_service_config.hpp"

using namespace ordersource;

int main(int argc, char** argv) {
    if (auto exit_code = service::handle_command_line(argc, argv, "payment-service",
                                                      payment::payment_service_usage())) {
        return *exit_code;
    }
    core::set_log_service("payment-service");
    const auto config = service::read_config<payment::PaymentServiceConfig>(
        "payment-service", [] { return payment::PaymentServiceConfig::from_env(); });
    if (!config) return 2;
    core::set_log_level(config->log_level);
    const service::StopSignals stop_signals;

    bool clean = true;
    try {
        eventstore::PostgresEventStore store(config->database, config->store_schema);
        metrics::Registry registry;
        auto appended = registry.counter("events_appended_total",
                                         "Events appended to the event store, by type.", {"type"});
        kafka::Producer producer(relay::relay_producer_config(config->kafka));
        relay::EventRelay relay(
            store, store, producer,
            // Every payment event is keyed by its order, so it shares the order's partition.
            [](const eventstore::RecordedEvent& event) {
                const auto request = payment::decode_payment_request(event.payload_json);
                return request ? request->order_id : event.stream_id.value();
            },
            {.name = "payment-events",
             .topic = std::string(contracts::topics::kPaymentEvents),
             .checkpoint_interval = std::chrono::milliseconds(100)});

        payment::PaymentRules rules;
        rules.on_recorded = [&appended, &relay](const std::string& type) {
            relay.nudge();  // publish now rather than at the relay's next idle poll
            appended.with({type}).inc();
        };
        auto account_loads =
            registry.counter("account_loads_total",
                             "Accounts folded from the store because they were not in memory, by "
                             "where the fold started (ADR 22).",
                             {"from"});
        auto account_events_read =
            registry.counter("account_events_read_total",
                             "Events read from the store to fold accounts not in memory.");
        rules.on_accounts_loaded = [&account_loads,
                                    &account_events_read](const eventstore::StreamLoads& loads) {
            account_loads.with({"snapshot"}).inc(loads.from_snapshot);
            account_loads.with({"first event"}).inc(loads.streams - loads.from_snapshot);
            account_events_read.with({}).inc(loads.events);
        };
        rules.credit_limit = config->credit_limit;
        // Only the consumer thread rolls the dice, so one generator without a lock is enough.
        rules.provider_declines =
            [rate = config->decline_rate, dice = std::mt19937_64{std::random_device{}()},
             uniform = std::uniform_real_distribution<double>(0.0, 1.0)]() mutable {
                return rate > 0 && uniform(dice) < rate;
            };
        rules.provider_delay = [delay = config->delay] {
            if (delay.count() > 0) std::this_thread::sleep_for(delay);
        };
        payment::PaymentProcessor processor(store, std::move(rules), config->cached_accounts,
                                            &store, config->snapshot_every);

        auto consumer_config = config->kafka;
        consumer_config["group.id"] = config->consumer_group;
        kafka::Consumer consumer(consumer_config, {std::string(contracts::topics::kOrderEvents)});
        messaging::DeadLetterPublisher dead_letters(producer);
        messaging::EnvelopeConsumer consume_loop(
            consumer, dead_letters,
            [&processor](const std::vector<messaging::Delivery>& deliveries) {
                std::vector<const contracts::Envelope*> envelopes;
                envelopes.reserve(deliveries.size());
                for (const auto& delivery : deliveries) envelopes.push_back(&delivery.envelope);
                return processor.handle_all(envelopes);
            },
            {.group = config->consumer_group});

        messaging::register_consumer_metrics(registry, config->consumer_group, consume_loop,
                                             consumer);
        relay::register_store_metrics(registry, store, "payment-events");
        http::Server http(config->http);
        service::add_metrics_route(http, registry);
        service::add_health_routes(
            http, {{"database",
                    [&store] {
                        store.load_checkpoint("health-check");  // any round trip
                        return true;
                    }},
                   {"kafka",
                    [&producer] { return producer.broker_reachable(std::chrono::seconds(2)); }}});
        http.start();
        core::log(core::LogLevel::kInfo, "payment-service listening",
                  {{"port", std::to_string(http.port())}, {"group", config->consumer_group}});
        clean = service::run_until_stopped(
            stop_signals, {{"consumer",
                            [&](std::stop_token stop) {
                                consume_loop.run(stop);
                                consumer.close();
                            }},
                           {"relay", [&](std::stop_token stop) { relay.run(stop); }}});
        if (!producer.flush(config->shutdown_timeout)) {
            core::log(core::LogLevel::kWarn,
                      "records not acknowledged before shutdown; the relay resends them",
                      {{"count", std::to_string(producer.in_flight())}});
        }
        http.shutdown();
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "payment-service failed", {{"error", error.what()}});
        return 1;
    }
    core::log(core::LogLevel::kInfo, "stopped");
    return clean ? 0 : 1;
}
