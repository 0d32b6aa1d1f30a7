#include "ordersource/messaging/consumer_metrics.hpp"

namespace ordersource::messaging {

void register_consumer_metrics(metrics::Registry& registry,
                               const std::string& group,
                               const EnvelopeConsumer& loop,
                               const kafka::Consumer& consumer) {
    using Samples = std::vector<std::pair<metrics::Labels, double>>;
    const auto counter = [&registry, group](std::string name, std::string help,
                                            const std::atomic<std::uint64_t>& value) {
        registry.computed_counter(std::move(name), std::move(help), {"group"}, [&value, group] {
            return Samples{{{group}, static_cast<double>(value.load())}};
        });
    };
    counter("consumer_records_handled_total",
            "Records handled (or found already handled) by the consume loop.",
            loop.counters().handled);
    counter("dead_letters_total", "Records sent to dead-letters because they can never be handled.",
            loop.counters().dead_lettered);
    counter("consumer_handler_failures_total",
            "Handler failures (infrastructure), each retried on the same record.",
            loop.counters().handler_failures);
    registry.computed_gauge(
        "consumer_lag_records", "Records behind the end of each assigned partition.",
        {"group", "topic", "partition"}, [&consumer, group] {
            Samples samples;
            for (const auto& partition : consumer.lag()) {
                samples.push_back({{group, partition.topic, std::to_string(partition.partition)},
                                   static_cast<double>(partition.lag)});
            }
            return samples;
        });
}

}  // namespace ordersource::messaging
