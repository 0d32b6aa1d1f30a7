#pragma once
// The metrics every service with an event store and a relay exposes: how far the relay is
// behind the store, and which write path stored the appends (ADR 13).

#include <string>

#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/metrics/registry.hpp"

namespace ordersource::relay {

// Registers `relay_lag_events` (events after the relay checkpoint `relay_name`, computed at
// scrape time) and `eventstore_appends_total{path}` / `eventstore_groups_total`. The store
// must outlive the registry's scrapes.
void register_store_metrics(metrics::Registry& registry,
                            const eventstore::PostgresEventStore& store,
                            std::string relay_name);

}  // namespace ordersource::relay
