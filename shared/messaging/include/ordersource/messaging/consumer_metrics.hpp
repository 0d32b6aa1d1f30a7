#pragma once
// The consume loop's figures on /metrics: records handled, dead letters, handler failures
// (counters) and lag per assigned partition (a gauge computed at scrape time).

#include "ordersource/kafka/consumer.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"
#include "ordersource/metrics/registry.hpp"

namespace ordersource::messaging {

// `loop` and `consumer` must outlive the registry's scrapes.
void register_consumer_metrics(metrics::Registry& registry,
                               const std::string& group,
                               const EnvelopeConsumer& loop,
                               const kafka::Consumer& consumer);

}  // namespace ordersource::messaging
