// What only the PostgreSQL store can show: the database itself refuses to change events,
// migrations are safe when instances start together, read_all follows commit order (not
// position order) and passes the holes rolled-back appends leave. The contract shared with
// the memory store is in eventstore_conformance_pgtest.cpp.
#include <soci/soci.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

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

// How many transactions wrote the events of this schema (group commit shares them).
long long writing_transactions(const testing::EventStoreSchema& fixture) {
    long long transactions = 0;
    *fixture.raw_session() << "SELECT count(DISTINCT transaction_id) FROM events",
        soci::into(transactions);
    return transactions;
}

constexpr int kWriters = 16;

}  // namespace

BOOST_FIXTURE_TEST_SUITE(postgres_event_store, testing::EventStoreSchema)

BOOST_AUTO_TEST_CASE(concurrent_appends_share_commits_and_each_gets_its_own_result) {
    constexpr int kAppendsPerWriter = 40;
    std::vector<std::vector<es::AppendResult>> results(kWriters);
    {
        std::latch start(kWriters);
        std::vector<std::jthread> writers;
        for (int w = 0; w < kWriters; ++w) {
            writers.emplace_back([&, w] {
                start.arrive_and_wait();
                for (int i = 0; i < kAppendsPerWriter; ++i) {
                    const auto outcome =
                        postgres->append(es::StreamId{"writer-" + std::to_string(w)}, es::Any{},
                                         {make_event("Counted")});
                    if (const auto* result = std::get_if<es::AppendResult>(&outcome)) {
                        results[static_cast<std::size_t>(w)].push_back(*result);
                    }
                }
            });
        }
    }
    for (int w = 0; w < kWriters; ++w) {
        const auto& mine = results[static_cast<std::size_t>(w)];
        BOOST_REQUIRE_EQUAL(mine.size(), static_cast<std::size_t>(kAppendsPerWriter));
        const auto stored = postgres->read_stream(es::StreamId{"writer-" + std::to_string(w)});
        BOOST_REQUIRE_EQUAL(stored.size(), mine.size());
        for (std::size_t i = 0; i < mine.size(); ++i) {
            BOOST_TEST_INFO("writer " << w << ", append " << i);
            BOOST_TEST(mine[i].first_version.value() == static_cast<std::int64_t>(i) + 1);
            BOOST_TEST(mine[i].last_version == mine[i].first_version);
            BOOST_TEST(mine[i].first_position == stored[i].global_position);
            BOOST_TEST(mine[i].last_position == stored[i].global_position);
        }
    }
    // 16 writers on 2 cores always find a group executing and queue behind it.
    BOOST_TEST(writing_transactions(*this) < kWriters * kAppendsPerWriter);
    const auto paths = postgres->write_path_counts();
    BOOST_TEST(paths.groups > 0U);
    BOOST_TEST(paths.grouped_appends >= 2 * paths.groups);
    BOOST_TEST(paths.retried_alone == 0U);  // no conflicts here: every group stored all
}

BOOST_AUTO_TEST_CASE(append_many_copies_appends_of_known_versions_in_one_transaction) {
    std::vector<es::AppendRequest> requests;
    for (int i = 0; i < 50; ++i) {
        const es::StreamId stream{"known-" + std::to_string(i)};
        es::ExpectedVersion expected = es::NoStream{};
        if (i % 2 == 1) {
            append_one(*postgres, stream.value(), "First");
            expected = es::Exact{es::StreamVersion{1}};
        }
        requests.push_back({stream, expected, {make_event("Counted"), make_event("Counted")}});
    }
    const auto before = writing_transactions(*this);
    const auto outcomes = postgres->append_many(requests);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        BOOST_TEST_INFO("request " << i << ": " << es::describe(outcomes[i]));
        BOOST_REQUIRE(std::holds_alternative<es::AppendResult>(outcomes[i]));
        const auto& result = std::get<es::AppendResult>(outcomes[i]);
        const auto stored = postgres->read_stream(requests[i].stream);
        BOOST_TEST(result.last_version == stored.back().stream_version);
        BOOST_TEST(result.first_position == stored[stored.size() - 2].global_position);
        BOOST_TEST(result.last_position == stored.back().global_position);
    }
    BOOST_TEST(writing_transactions(*this) == before + 1);
    BOOST_TEST(postgres->write_path_counts().copied_appends == 50U);
}

BOOST_AUTO_TEST_CASE(a_copy_naming_a_version_the_stream_has_not_reached_stores_nothing) {
    // Copying versions 6.. onto a stream at version 1 would leave a gap: the check in the
    // COPY's transaction refuses it, and each append is answered on its own.
    append_one(*postgres, "behind", "First");
    std::vector<es::AppendRequest> requests{
        {es::StreamId{"behind"}, es::Exact{es::StreamVersion{5}}, {}},
        {es::StreamId{"beside"}, es::NoStream{}, {}}};
    for (int i = 0; i < 20; ++i) {
        for (auto& request : requests) request.events.push_back(make_event("Counted"));
    }
    const auto outcomes = postgres->append_many(requests);
    BOOST_TEST_INFO(es::describe(outcomes[0]));
    BOOST_REQUIRE(std::holds_alternative<es::ConcurrencyConflict>(outcomes[0]));
    BOOST_TEST(std::get<es::ConcurrencyConflict>(outcomes[0]).actual.value() == 1);
    BOOST_TEST(std::holds_alternative<es::AppendResult>(outcomes[1]));
    BOOST_TEST(postgres->read_stream(es::StreamId{"behind"}).size() == 1U);
    BOOST_TEST(postgres->read_stream(es::StreamId{"beside"}).size() == 20U);
    BOOST_TEST(postgres->write_path_counts().copied_appends == 0U);
}

BOOST_AUTO_TEST_CASE(append_many_stores_small_appends_in_shared_statements_and_commits) {
    std::vector<es::AppendRequest> requests;
    for (int i = 0; i < 100; ++i) {
        requests.push_back({es::StreamId{"many-" + std::to_string(i)},
                            es::NoStream{},
                            {make_event("Counted"), make_event("Counted")}});
    }
    // One stale member fails the COPY of them all; group statements then store the rest in
    // one commit and the stale one is answered alone.
    postgres->append(es::StreamId{"many-7"}, es::NoStream{}, {make_event("First")});
    const auto outcomes = postgres->append_many(requests);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        BOOST_TEST_INFO("request " << i << ": " << es::describe(outcomes[i]));
        BOOST_TEST(std::holds_alternative<es::AppendResult>(outcomes[i]) == (i != 7));
    }
    // 200 events in groups of at most 256 events: one statement and one commit for all 99
    // (plus the lone stale answer and the setup append).
    BOOST_TEST(writing_transactions(*this) == 2);
    const auto paths = postgres->write_path_counts();
    BOOST_TEST(paths.groups == 1U);
    BOOST_TEST(paths.grouped_appends == 99U);
    BOOST_TEST(paths.retried_alone == 1U);
}

BOOST_AUTO_TEST_CASE(large_batches_are_copied_and_a_copy_that_loses_a_race_is_answered_alone) {
    const es::StreamId stream{"bulk-" + ordersource::core::new_uuid()};
    std::vector<es::NewEvent> batch;
    for (int i = 0; i < 100; ++i) {
        batch.push_back(make_event("Imported"));
    }
    const auto first = postgres->append(stream, es::NoStream{}, batch);
    BOOST_TEST_INFO(es::describe(first));
    BOOST_REQUIRE(std::holds_alternative<es::AppendResult>(first));
    const auto& result = std::get<es::AppendResult>(first);
    const auto stored = postgres->read_stream(stream);
    BOOST_REQUIRE_EQUAL(stored.size(), 100U);
    BOOST_TEST(result.first_version.value() == 1);
    BOOST_TEST(result.last_version.value() == 100);
    BOOST_TEST(result.first_position == stored.front().global_position);
    BOOST_TEST(result.last_position == stored.back().global_position);
    BOOST_TEST(postgres->write_path_counts().copied_appends == 1U);

    // The same batch again is a repeat; a stale expectation is a conflict: neither copies.
    const auto repeat = postgres->append(stream, es::Any{}, batch);
    BOOST_TEST_INFO(es::describe(repeat));
    BOOST_REQUIRE(std::holds_alternative<es::AppendResult>(repeat));
    BOOST_TEST((std::get<es::AppendResult>(repeat) == result));
    std::vector<es::NewEvent> more;
    for (int i = 0; i < 50; ++i) {
        more.push_back(make_event("Imported"));
    }
    const auto stale = postgres->append(stream, es::Exact{es::StreamVersion{99}}, more);
    BOOST_TEST_INFO(es::describe(stale));
    BOOST_REQUIRE(std::holds_alternative<es::ConcurrencyConflict>(stale));
    BOOST_TEST(std::get<es::ConcurrencyConflict>(stale).actual.value() == 100);
    BOOST_TEST(postgres->read_stream(stream).size() == 100U);
    const auto paths = postgres->write_path_counts();
    BOOST_TEST(paths.copied_appends == 1U);
    BOOST_TEST(paths.retried_alone == 2U);
}

BOOST_AUTO_TEST_CASE(a_stale_expectation_in_a_group_fails_only_its_own_append) {
    constexpr int kRounds = 30;
    for (int w = 0; w < kWriters; ++w) {
        append_one(*postgres, "account-" + std::to_string(w), "Opened");
    }
    std::vector<int> stored_by(kWriters, 0);
    std::atomic<int> wrong_answers{0};
    {
        std::latch start(kWriters);
        std::vector<std::jthread> writers;
        for (int w = 0; w < kWriters; ++w) {
            writers.emplace_back([&, w] {
                const es::StreamId stream{"account-" + std::to_string(w)};
                std::int64_t version = 1;
                start.arrive_and_wait();
                for (int i = 0; i < kRounds; ++i) {
                    const bool stale = i % 3 == 2;
                    const auto outcome = postgres->append(
                        stream, es::Exact{es::StreamVersion{stale ? version - 1 : version}},
                        {make_event("Moved")});
                    if (const auto* result = std::get_if<es::AppendResult>(&outcome);
                        result != nullptr && !stale &&
                        result->first_version.value() == version + 1) {
                        ++version;
                        ++stored_by[static_cast<std::size_t>(w)];
                    } else if (const auto* conflict =
                                   std::get_if<es::ConcurrencyConflict>(&outcome);
                               conflict == nullptr || !stale ||
                               conflict->actual.value() != version) {
                        ++wrong_answers;
                    }
                }
            });
        }
    }
    BOOST_TEST(wrong_answers.load() == 0);
    for (int w = 0; w < kWriters; ++w) {
        BOOST_TEST_INFO("writer " << w);
        BOOST_TEST(stored_by[static_cast<std::size_t>(w)] == kRounds - kRounds / 3);
        const auto stored = postgres->read_stream(es::StreamId{"account-" + std::to_string(w)});
        BOOST_REQUIRE_EQUAL(stored.size(), static_cast<std::size_t>(1 + kRounds - kRounds / 3));
        for (std::size_t i = 0; i < stored.size(); ++i) {
            BOOST_TEST(stored[i].stream_version.value() == static_cast<std::int64_t>(i) + 1);
        }
    }
    BOOST_TEST(writing_transactions(*this) < kWriters * kRounds);
}

BOOST_AUTO_TEST_CASE(a_group_that_fails_stores_nothing_and_each_member_gets_its_own_answer) {
    // Half the writers try to store the same event id in streams of their own (a caller
    // bug): a group holding two of them fails on the unique event id as a whole, and every
    // member - the bystanders too - must still end with the answer it would get alone.
    constexpr int kRounds = 20;
    std::atomic<int> shared_id_stored{0};
    std::atomic<int> shared_id_refused{0};
    std::atomic<int> bystanders_stored{0};
    std::atomic<int> wrong_answers{0};
    {
        std::latch start(kWriters);
        std::vector<std::jthread> writers;
        for (int w = 0; w < kWriters; ++w) {
            writers.emplace_back([&, w] {
                start.arrive_and_wait();
                for (int round = 0; round < kRounds; ++round) {
                    const bool shares = w % 2 == 0;
                    es::NewEvent event = make_event("Counted");
                    if (shares) {
                        event.event_id =
                            es::EventId{"00000000-0000-4000-8000-" + std::string(10, '0') +
                                        std::to_string(10 + round)};
                    }
                    const auto outcome = postgres->append(
                        es::StreamId{"member-" + std::to_string(w)}, es::Any{}, {event});
                    if (std::holds_alternative<es::AppendResult>(outcome)) {
                        ++(shares ? shared_id_stored : bystanders_stored);
                    } else if (shares && std::holds_alternative<es::InvalidInput>(outcome)) {
                        ++shared_id_refused;
                    } else {
                        ++wrong_answers;
                    }
                }
            });
        }
    }
    BOOST_TEST(wrong_answers.load() == 0);
    BOOST_TEST(shared_id_stored.load() == kRounds);  // each shared id once
    BOOST_TEST(shared_id_refused.load() == (kWriters / 2 - 1) * kRounds);
    BOOST_TEST(bystanders_stored.load() == kWriters / 2 * kRounds);
    long long stored = 0;
    *raw_session() << "SELECT count(*) FROM events", soci::into(stored);
    BOOST_TEST(stored == kRounds + kWriters / 2 * kRounds);
}

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

BOOST_AUTO_TEST_CASE(statements_first_run_on_an_empty_store_still_read_a_grown_one_by_index) {
    // PostgreSQL may keep one plan for a prepared statement after its first five runs; made
    // while the table was nearly empty that plan was a sequential scan, which then read the
    // whole growing table on every call until the first ANALYZE (ADR 19). One connection, so
    // every statement below is prepared and planned on the same session.
    testing::EventStoreSchema single(es::PostgresStoreOptions{.max_connections = 1});
    auto& store = *single.postgres;
    append_one(store, "grown-0", "Seeded");
    const auto read_like_a_service = [&store] {
        store.read_streams({es::StreamId{"grown-0"}, es::StreamId{"grown-1"}});
        store.read_stream(es::StreamId{"grown-0"});
        const auto head = store.read_all({}, 1);
        store.read_all(head.empty() ? es::CommitPosition{} : head.back().commit_position(), 10);
    };
    for (int i = 0; i < 8; ++i) read_like_a_service();

    constexpr int kGrownEvents = 20000;
    std::vector<es::AppendRequest> growth;
    for (int s = 1; s <= 20; ++s) {
        std::vector<es::NewEvent> events;
        for (int e = 0; e < kGrownEvents / 20; ++e) events.push_back(make_event("Grown"));
        growth.push_back({es::StreamId{"grown-" + std::to_string(s)}, es::NoStream{}, events});
    }
    for (const auto& outcome : store.append_many(growth)) {
        BOOST_REQUIRE(std::holds_alternative<es::AppendResult>(outcome));
    }

    struct TableScans {
        long long sequential = 0, rows_read_sequentially = 0, by_index = 0, inserted = 0;
    };
    const auto raw = single.raw_session();
    const auto scans = [&] {
        TableScans counted;
        *raw << "SELECT seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_tup_ins "
                "FROM pg_stat_user_tables WHERE schemaname = :schema AND relname = 'events'",
            soci::use(single.schema), soci::into(counted.sequential),
            soci::into(counted.rows_read_sequentially), soci::into(counted.by_index),
            soci::into(counted.inserted);
        return counted;
    };
    // A backend publishes its counters when idle, up to 10 s late: wait for the inserts.
    BOOST_REQUIRE(testing::eventually([&] { return scans().inserted == kGrownEvents + 1; }, 30s));
    const TableScans before = scans();
    constexpr int kRounds = 3;
    for (int i = 0; i < kRounds; ++i) read_like_a_service();
    BOOST_REQUIRE(testing::eventually(
        [&] {
            const TableScans now = scans();
            return now.sequential + now.by_index >=
                   before.sequential + before.by_index + 4 * kRounds;
        },
        30s));
    const TableScans after = scans();
    BOOST_TEST_INFO("sequential scans " << after.sequential - before.sequential);
    BOOST_TEST(after.rows_read_sequentially - before.rows_read_sequentially < 100);
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

BOOST_AUTO_TEST_CASE(snapshots_round_trip_and_the_last_save_wins) {
    BOOST_TEST(!postgres->load_snapshot("watcher").has_value());
    // Quotes, backslashes, a newline and non-ASCII text survive as they were given.
    const es::Snapshot first{.position = {1234, es::GlobalPosition{56}},
                             .format = 1,
                             .state = "[[\"o'1\",\"a\\\\b\nz\u00e9\"]]"};
    postgres->save_snapshot("watcher", first);
    postgres->save_snapshot("other", {.position = es::kStartOfAll, .format = 7, .state = ""});
    BOOST_TEST((postgres->load_snapshot("watcher").value() == first));
    const es::Snapshot later{.position = {1300, es::GlobalPosition{70}},
                             .format = 2,
                             .state = std::string(100'000, 'x')};
    postgres->save_snapshot("watcher", later);
    BOOST_TEST((postgres->load_snapshot("watcher").value() == later));
    BOOST_TEST(postgres->load_snapshot("other").value().format == 7);
}

BOOST_AUTO_TEST_CASE(snapshots_large_enough_to_compress_are_stored_with_lz4) {
    // A state PostgreSQL compresses (over its ~2 KB threshold), like an account's.
    std::string state;
    for (int i = 0; state.size() < 60'000; ++i) {
        state += "{\"order\":\"" + std::to_string(i * 7919) + "\",\"amount\":1999},";
    }
    const es::StreamId account{"account-lz4"};
    postgres->save_stream_snapshots({{account, {es::StreamVersion{100}, 1, state}}});
    postgres->save_snapshot("watcher", {.position = es::kStartOfAll, .format = 1, .state = state});
    std::string stream_method;
    std::string reader_method;
    *raw_session() << "SELECT coalesce(pg_column_compression(state), 'none') "
                      "FROM stream_snapshots WHERE stream_id = 'account-lz4'",
        soci::into(stream_method);
    *raw_session() << "SELECT coalesce(pg_column_compression(state), 'none') "
                      "FROM reader_snapshots WHERE name = 'watcher'",
        soci::into(reader_method);
    BOOST_TEST(stream_method == "lz4");
    BOOST_TEST(reader_method == "lz4");
    BOOST_TEST(postgres->load_stream_snapshots({account}).front().value().state == state);
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_a_store_error) {
    auto settings = testing::test_database();
    settings.port = 1;
    settings.connect_timeout_s = 2;
    BOOST_CHECK_THROW(es::PostgresEventStore(settings, schema), es::StoreError);
}

BOOST_AUTO_TEST_SUITE_END()
