#include "ordersource/relay/store_metrics.hpp"

#include <utility>
#include <vector>

namespace ordersource::relay {

void register_store_metrics(metrics::Registry& registry,
                            const eventstore::PostgresEventStore& store,
                            std::string relay_name) {
    using Samples = std::vector<std::pair<metrics::Labels, double>>;
    registry.computed_gauge(
        "relay_lag_events", "Events stored but not yet acknowledged by Kafka.", {},
        [&store, relay = std::move(relay_name)] {
            const auto at = store.load_checkpoint(relay);
            return Samples{
                {{}, static_cast<double>(store.count_after(at.value_or(eventstore::kStartOfAll)))}};
        });
    registry.computed_counter(
        "eventstore_appends_total",
        "Appends by the write path that stored them: grouped (a statement shared with "
        "concurrent appends), copied (COPY of a large batch), retried_alone (a group or COPY "
        "did not store it). Lone appends are not counted.",
        {"path"}, [&store] {
            const auto counts = store.write_path_counts();
            return Samples{{{"grouped"}, static_cast<double>(counts.grouped_appends)},
                           {{"copied"}, static_cast<double>(counts.copied_appends)},
                           {{"retried_alone"}, static_cast<double>(counts.retried_alone)}};
        });
    registry.computed_counter(
        "eventstore_groups_total", "Group statements that stored two or more concurrent appends.",
        {}, [&store] {
            return Samples{{{}, static_cast<double>(store.write_path_counts().groups)}};
        });
}

}  // namespace ordersource::relay
