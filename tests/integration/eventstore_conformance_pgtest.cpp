// The event store contract against PostgresEventStore, each case in a fresh schema of the
// private PostgreSQL cluster (the same cases run against MemoryEventStore in
// unit/eventstore_conformance_test.cpp). ORDERSOURCE_TEST_STORE_VARIANT picks the write path
// under test, so ctest runs the contract once per path (tests/CMakeLists.txt):
//   (unset)        the defaults: INSERT for small appends, group commit, COPY from 32 events;
//   copy           every append through COPY;
//   serial-groups  one group at a time, so concurrent cases share groups as much as possible.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "ordersource/testing/eventstore_schema.hpp"

namespace {

ordersource::eventstore::PostgresStoreOptions options_under_test() {
    const char* variant = std::getenv("ORDERSOURCE_TEST_STORE_VARIANT");
    const std::string name = variant != nullptr ? variant : "";
    ordersource::eventstore::PostgresStoreOptions options;
    if (name == "copy") {
        options.copy_min_events = 1;
    } else if (name == "serial-groups") {
        options.max_concurrent_groups = 1;
    } else if (!name.empty()) {
        throw std::invalid_argument("unknown ORDERSOURCE_TEST_STORE_VARIANT '" + name + "'");
    }
    return options;
}

}  // namespace

// Not in an anonymous namespace: the cases that derive from it live in the included header.
struct ConformanceFixture : ordersource::testing::EventStoreSchema {
    ConformanceFixture() : EventStoreSchema(options_under_test()) {}
};

#include "ordersource/testing/eventstore_conformance.hpp"
