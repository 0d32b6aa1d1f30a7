// What only the PostgreSQL store can show: the database itself refuses to change events,
// migrations are safe when instances start together, read_all follows commit order (not
// position order) and passes the holes rolled-back appends leave. The contract shared with
// the memory store is in eventstore_conformance_pgtest.cpp.
#include <soci/soci.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <latch>
#include <thread>

#include "ordersource/core/ids.hpp"
#include "ordersource/testing/eventstore_schema.hpp"

namespace es = ordersource::eventstore;
namespace testing = ordersource::testing;
using namespace std::chrono_literals;

namespace {

es::NewEvent make_event(const std::string& type) {
    return es::NewEvent{
        es::EventId{ordersource::core::new_uuid()}, type, 1, R"({"orderId": "o-1"})", {}};
}

es::AppendResult append_one(es::EventStore& store,
                            const std::string& stream,
                            const std::string& type) {
    const auto outcome = store.append(es::StreamId{stream}, es::Any{}, {make_event(type)});
    BOOST_TEST_INFO(es::describe(outcome));
    BOOST_REQUIRE(std::holds_alternative<es::AppendResult>(outcome));
    return std::get<es::AppendResult>(outcome);
}

std::vector<std::string> types_of(const std::vector<es::RecordedEvent>& events) {
    std::vector<std::string> types;
    for (const auto& event : events) {
        types.push_back(event.type);
    }
    return types;
}

// Inserts an event the way a slow writer would, in the caller's open transaction.
void insert_raw(soci::session& sql, const std::string& stream, const std::string& type) {
    sql << "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,"
           " payload) VALUES (:stream, 1, gen_random_uuid(), :type, 1, '{}')",
        soci::use(stream), soci::use(type);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(postgres_event_store, testing::EventStoreSchema)

BOOST_AUTO_TEST_CASE(the_database_refuses_update_delete_and_truncate_of_events) {
    append_one(store(), "order-1", "OrderAccepted");
    auto sql = raw_session();
    BOOST_CHECK_THROW(sql->once << "UPDATE events SET event_type = 'Forged'", soci::soci_error);
    BOOST_CHECK_THROW(sql->once << "DELETE FROM events", soci::soci_error);
    BOOST_CHECK_THROW(sql->once << "TRUNCATE events", soci::soci_error);
    try {
        sql->once << "DELETE FROM events";
    } catch (const soci::soci_error& error) {
        BOOST_TEST(std::string(error.what()).find("append-only") != std::string::npos);
    }
    const auto events = store().read_stream(es::StreamId{"order-1"});
    BOOST_REQUIRE_EQUAL(events.size(), 1U);
    BOOST_TEST(events.front().type == "OrderAccepted");
}

BOOST_AUTO_TEST_CASE(instances_starting_together_migrate_once) {
    const std::string fresh = testing::unique_schema("es_migrate");
    constexpr int kInstances = 4;
    std::latch start(kInstances);
    std::vector<std::string> errors(kInstances);
    std::vector<std::thread> instances;
    for (int i = 0; i < kInstances; ++i) {
        instances.emplace_back([&, i] {
            start.arrive_and_wait();
            try {
                const es::PostgresEventStore instance(testing::test_database(), fresh);
            } catch (const std::exception& error) {
                errors[static_cast<std::size_t>(i)] = error.what();
            }
        });
    }
    for (auto& instance : instances) {
        instance.join();
    }
    BOOST_TEST(errors == std::vector<std::string>(kInstances), boost::test_tools::per_element());
    auto sql = ordersource::pg::open_session(testing::test_database());
    long long rows = 0;
    long long newest = 0;
    *sql << "SELECT count(*), max(version) FROM \"" + fresh +
                "\".schema_migrations WHERE component = 'eventstore'",
        soci::into(rows), soci::into(newest);
    BOOST_TEST(rows == es::PostgresEventStore::schema_version());
    BOOST_TEST(newest == es::PostgresEventStore::schema_version());
    // Starting again on a migrated schema changes nothing and works.
    es::PostgresEventStore again(testing::test_database(), fresh);
    append_one(again, "order-1", "OrderAccepted");
    *sql << "SET client_min_messages TO warning";
    *sql << "DROP SCHEMA \"" + fresh + "\" CASCADE";
}

BOOST_AUTO_TEST_CASE(read_all_waits_for_a_transaction_that_commits_after_a_higher_position) {
    append_one(store(), "order-0", "Earlier");
    std::vector<es::RecordedEvent> first;
    // Eventually: any write transaction open in the cluster holds read_all back a moment.
    BOOST_REQUIRE(testing::eventually(
        [&] { return !(first = store().read_all(es::kStartOfAll, 100)).empty(); }, 10s));
    BOOST_REQUIRE_EQUAL(first.size(), 1U);
    const es::CommitPosition checkpoint = first.back().commit_position();

    // Writer A takes a position and stays open; writer B takes a higher one and commits.
    auto slow = raw_session();
    soci::transaction a(*slow);
    insert_raw(*slow, "order-a", "FromA");
    long long a_position = 0;
    *slow << "SELECT max(global_position) FROM events", soci::into(a_position);
    const auto b = append_one(store(), "order-b", "FromB");
    BOOST_TEST(b.first_position.value() > a_position);

    // B is committed but must not be delivered while A could still commit below it.
    BOOST_TEST(store().read_all(checkpoint, 100).empty());
    BOOST_TEST(store().read_stream(es::StreamId{"order-b"}).size() == 1U);

    a.commit();
    std::vector<es::RecordedEvent> delivered;
    BOOST_TEST(testing::eventually(
        [&] {
            delivered = store().read_all(checkpoint, 100);
            return delivered.size() >= 2;
        },
        10s));
    BOOST_TEST(types_of(delivered) == (std::vector<std::string>{"FromA", "FromB"}),
               boost::test_tools::per_element());
    BOOST_TEST(delivered[0].global_position.value() == a_position);
    // And from the start, every event once.
    BOOST_TEST(types_of(store().read_all(es::kStartOfAll, 100)) ==
                   (std::vector<std::string>{"Earlier", "FromA", "FromB"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(read_all_passes_the_hole_a_rolled_back_append_leaves) {
    const auto before = append_one(store(), "order-1", "Before");
    {
        auto doomed = raw_session();
        soci::transaction tx(*doomed);
        insert_raw(*doomed, "order-2", "RolledBack");
        // destroyed without commit: rolled back, its position burnt
    }
    const auto after = append_one(store(), "order-3", "After");
    BOOST_TEST(after.first_position.value() > before.last_position.value() + 1);
    std::vector<es::RecordedEvent> delivered;
    BOOST_TEST(testing::eventually(
        [&] {
            delivered = store().read_all(es::kStartOfAll, 100);
            return delivered.size() >= 2;
        },
        10s));
    BOOST_TEST(types_of(delivered) == (std::vector<std::string>{"Before", "After"}),
               boost::test_tools::per_element());
    // Paging one at a time crosses the hole too.
    const auto page1 = store().read_all(es::kStartOfAll, 1);
    BOOST_REQUIRE_EQUAL(page1.size(), 1U);
    const auto page2 = store().read_all(page1.back().commit_position(), 1);
    BOOST_REQUIRE_EQUAL(page2.size(), 1U);
    BOOST_TEST(page2.front().type == "After");
}

BOOST_AUTO_TEST_CASE(an_open_transaction_hides_nothing_it_did_not_write_and_blocks_no_writer) {
    auto slow = raw_session();
    soci::transaction open(*slow);
    insert_raw(*slow, "order-slow", "Slow");
    // Appends and stream reads carry on while the transaction stays open.
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) {
        append_one(store(), "order-fast", "Fast");
    }
    BOOST_TEST(store().read_stream(es::StreamId{"order-fast"}).size() == 20U);
    BOOST_TEST(store().read_stream(es::StreamId{"order-slow"}).empty());
    BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
    open.rollback();
    std::vector<es::RecordedEvent> delivered;
    BOOST_TEST(testing::eventually(
        [&] {
            delivered = store().read_all(es::kStartOfAll, 100);
            return delivered.size() >= 20;
        },
        10s));
    BOOST_TEST(delivered.size() == 20U);
}

BOOST_AUTO_TEST_CASE(read_all_orders_transactions_by_number_not_by_text) {
    // Explicit (old, hence finished) transaction ids: 9 < 10 < 100 as numbers, not as text.
    auto sql = raw_session();
    for (const std::string transaction : {"100", "9", "10"}) {
        sql->once << "INSERT INTO events (stream_id, stream_version, event_id, event_type,"
                     " schema_version, payload, transaction_id)"
                     " SELECT 'tx-' || t::text, 1, gen_random_uuid(), 'Tx' || t::text, 1, '{}', t"
                     " FROM (SELECT CAST(:tx AS xid8) AS t) AS given",
            soci::use(transaction);
    }
    const auto all = store().read_all(es::kStartOfAll, 10);
    BOOST_TEST(types_of(all) == (std::vector<std::string>{"Tx9", "Tx10", "Tx100"}),
               boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(all.size(), 3U);
    BOOST_TEST(all[0].transaction == 9U);
    const auto rest = store().read_all(all[1].commit_position(), 10);
    BOOST_REQUIRE_EQUAL(rest.size(), 1U);
    BOOST_TEST(rest.front().type == "Tx100");
}

BOOST_AUTO_TEST_CASE(checkpoints_round_trip) {
    BOOST_TEST(!postgres->load_checkpoint("relay-a").has_value());
    const es::CommitPosition at{1234, es::GlobalPosition{56}};
    postgres->save_checkpoint("relay-a", at);
    postgres->save_checkpoint("relay-b", es::kStartOfAll);
    BOOST_TEST(postgres->load_checkpoint("relay-a").value() == at);
    const es::CommitPosition later{1300, es::GlobalPosition{70}};
    postgres->save_checkpoint("relay-a", later);
    BOOST_TEST(postgres->load_checkpoint("relay-a").value() == later);
    BOOST_TEST(postgres->load_checkpoint("relay-b").value() == es::kStartOfAll);
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_a_store_error) {
    auto settings = testing::test_database();
    settings.port = 1;
    settings.connect_timeout_s = 2;
    BOOST_CHECK_THROW(es::PostgresEventStore(settings, schema), es::StoreError);
}

BOOST_AUTO_TEST_SUITE_END()
