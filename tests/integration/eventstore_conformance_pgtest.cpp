// The event store contract against PostgresEventStore, each case in a fresh schema of the
// private PostgreSQL cluster (the same cases run against MemoryEventStore in
// unit/eventstore_conformance_test.cpp).
#include <boost/test/unit_test.hpp>

#include "ordersource/testing/eventstore_schema.hpp"

// Not in an anonymous namespace: the cases that derive from it live in the included header.
using ConformanceFixture = ordersource::testing::EventStoreSchema;

#include "ordersource/testing/eventstore_conformance.hpp"
