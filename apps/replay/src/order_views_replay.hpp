#pragma once
// Rebuilds (or verifies) the gateway's order views from the Kafka feed they are projected
// from, or from the order-service's event store, into shadow tables swapped in atomically
// (docs/adr/0011-projection-rebuild-by-shadow-swap.md, 0014-order-views-from-the-event-store.md).

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
    std::int64_t folded_rows = 0;          // dry run only: summary rows folded (per batch)
};

// The topics the gateway projects, in its order.
inline const std::vector<std::string> kOrderViewTopics{"order-created", "order-events"};

// The order-service's event store (schema in its database), the source of --from store.
inline constexpr const char* kOrderServiceStoreSchema = "order_service";

// Throws on database or Kafka failure, when retention deleted records a rebuild from Kafka
// needs, or when the shadow left by an interrupted rebuild came from the other source.
ReplayReport replay_order_views(const RebuildProjection& command,
                                const pg::ConnectionSettings& gateway_database,
                                const kafka::Properties& kafka,
                                const pg::ConnectionSettings& store_database,
                                const std::function<void(const ReplayProgress&)>& progress);

}  // namespace ordersource::replay
