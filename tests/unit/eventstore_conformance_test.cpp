// The event store contract against MemoryEventStore (the same cases run against PostgreSQL
// in integration/eventstore_conformance_pgtest.cpp).
#include <boost/test/unit_test.hpp>

#include "ordersource/eventstore/memory_event_store.hpp"

// Not in an anonymous namespace: the cases that derive from it live in the included header.
struct ConformanceFixture {
    ordersource::eventstore::EventStore& store() { return store_; }
    ordersource::eventstore::MemoryEventStore store_;
};

#include "ordersource/testing/eventstore_conformance.hpp"
