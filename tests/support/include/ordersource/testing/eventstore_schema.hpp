#pragma once
// A PostgresEventStore in a schema of its own, dropped afterwards, so integration tests never
// see each other's events (STYLE.md).

#include <soci/soci.h>

#include <memory>
#include <string>

#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/pg/connection.hpp"
#include "ordersource/testing/test_database.hpp"

namespace ordersource::testing {

struct EventStoreSchema {
    explicit EventStoreSchema(eventstore::PostgresStoreOptions options = {})
        : schema(unique_schema("es")),
          postgres(
              std::make_unique<eventstore::PostgresEventStore>(test_database(), schema, options)) {}
    ~EventStoreSchema() {
        postgres.reset();
        try {
            auto session = pg::open_session(test_database());
            *session << "SET client_min_messages TO warning";
            *session << "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE";
        } catch (const std::exception&) {
            // A leftover schema is harmless; the test's own failure says more.
        }
    }

    // A plain session whose search_path is this schema, for what the store does not offer
    // (raw SQL, holding a transaction open).
    std::unique_ptr<soci::session> raw_session() const {
        auto session = pg::open_session(test_database());
        *session << "SET search_path TO \"" + schema + "\"";
        return session;
    }
    EventStoreSchema(const EventStoreSchema&) = delete;
    EventStoreSchema& operator=(const EventStoreSchema&) = delete;

    eventstore::EventStore& store() { return *postgres; }

    std::string schema;
    std::unique_ptr<eventstore::PostgresEventStore> postgres;
};

}  // namespace ordersource::testing
