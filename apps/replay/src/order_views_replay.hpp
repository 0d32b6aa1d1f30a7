#pragma once
// Rebuilds (or verifies) the gateway's order views from the Kafka feed they are projected
// from, into shadow tables swapped in atomically
// (docs/adr/0011-projection-rebuild-by-shadow-swap.md).

#include <functional>
#include <string>
#include <vector>

#include "ordersource/kafka/record.hpp"
#include "ordersource/pg/connection.hpp"
#include "replay_options.hpp"

namespace ordersource::replay {

struct ReplayProgress {
    std::int64_t applied = 0;  // events applied in this run
    std::int64_t total = 0;    // events this run has to apply (known so far)
    double seconds = 0;
};

struct ReplayReport {
    std::int64_t applied = 0;
    std::int64_t resumed_from = 0;  // events a killed run had applied already
    double seconds = 0;
    std::vector<std::string> differences;  // verify only
};

// The topics the gateway projects, in its order.
inline const std::vector<std::string> kOrderViewTopics{"order-created", "order-events"};

// Throws on database or Kafka failure, or when retention deleted records the rebuild needs.
ReplayReport replay_order_views(const RebuildProjection& command,
                                const pg::ConnectionSettings& gateway_database,
                                const kafka::Properties& kafka,
                                const std::function<void(const ReplayProgress&)>& progress);

}  // namespace ordersource::replay
