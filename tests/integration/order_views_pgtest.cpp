// The gateway's order views in the real PostgreSQL: a batch of records (with repeats, records
// redelivered as a whole batch, status events older than the status shown) stores exactly the
// rows applying them one at a time stores; two writers overlapping on the same orders (gateway
// instances during a rebalance) lose nothing; a rebuild from the event store by COPY gives the
// rows of the idempotent path and hands over to the live feed. Each test in schemas of its own.
#include <soci/soci.h>

#include <algorithm>
#include <barrier>
#include <boost/test/unit_test.hpp>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "adapters/order_view_tables.hpp"
#include "adapters/pg_order_view_rebuild.hpp"
#include "adapters/pg_order_view_store.hpp"
#include "ordersource/pg/connection.hpp"
#include "ordersource/testing/order_view_feed.hpp"
#include "ordersource/testing/pg_schemas.hpp"

using namespace ordersource;
using gateway::FeedChange;
using gateway::FeedPosition;
using gateway::OrderViewChange;

namespace {

pg::ConnectionSettings database() {
    return testing::test_database();
}

struct Schemas : testing::PgSchemas {
    // Every row of `table` in `schema`.
    std::vector<std::string> rows(const std::string& schema,
                                  const std::string& table,
                                  const std::string& columns) {
        return PgSchemas::rows("SELECT " + columns + " FROM " + schema + "." + table);
    }
    void require_same_views(const std::string& left, const std::string& right) {
        const auto summaries = rows(left, "order_summaries", gateway::kSummaryColumns);
        BOOST_TEST(!summaries.empty());
        BOOST_TEST(summaries == rows(right, "order_summaries", gateway::kSummaryColumns),
                   boost::test_tools::per_element());
        const auto history = rows(left, "order_history", gateway::kHistoryColumns);
        BOOST_TEST(!history.empty());
        BOOST_TEST(history == rows(right, "order_history", gateway::kHistoryColumns),
                   boost::test_tools::per_element());
    }
};

// The feed as Kafka records: offsets counted per topic, one partition each.
std::vector<FeedChange> records_of(const testing::OrderViewFeed& feed) {
    std::map<std::string, std::int64_t> next;
    std::vector<FeedChange> records;
    for (const auto& event : feed.events()) {
        records.push_back({event.change, FeedPosition{event.topic, 0, next[event.topic]++}});
    }
    return records;
}

void one_at_a_time(gateway::PgOrderViewStore& store, const std::vector<FeedChange>& records) {
    for (const auto& record : records) store.apply({record});
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_batch_with_repeats_and_late_status_events_stores_what_one_at_a_time_does,
                        Schemas) {
    const testing::OrderViewFeed feed(12);
    const auto records = records_of(feed);
    const auto single = make("views_single");
    const auto batched = make("views_batched");
    // One reads every row back, the other writes the rows it cached without reading them.
    gateway::PgOrderViewStore one_by_one(database(), 1, single, 0);
    gateway::PgOrderViewStore in_batches(database(), 1, batched);

    one_at_a_time(one_by_one, records);
    const auto slice = [&](std::size_t from, std::size_t to) {
        return std::vector<FeedChange>(records.begin() + static_cast<std::ptrdiff_t>(from),
                                       records.begin() + static_cast<std::ptrdiff_t>(to));
    };
    in_batches.apply(slice(0, 7));
    in_batches.apply(slice(7, 40));
    in_batches.apply(slice(7, 40));  // the consume loop offers a failed batch again
    in_batches.apply(slice(40, records.size()));

    require_same_views(single, batched);
    BOOST_TEST(rows(single, "order_views_offsets", "topic, partition, next_offset") ==
                   rows(batched, "order_views_offsets", "topic, partition, next_offset"),
               boost::test_tools::per_element());
    for (int n = 0; n < 12; ++n) {
        const auto view = in_batches.find(feed.order_ids()[static_cast<std::size_t>(n)]);
        BOOST_REQUIRE(view.has_value());
        BOOST_TEST(view->status == testing::OrderViewFeed::final_status(n));
        // Each event once in the history, in stream order, whatever was redelivered.
        BOOST_TEST(view->history.size() == (n % 4 == 1 ? 5U : 3U));
        BOOST_TEST(std::is_sorted(
            view->history.begin(), view->history.end(),
            [](const auto& left, const auto& right) { return left.version < right.version; }));
    }
}

BOOST_FIXTURE_TEST_CASE(two_writers_overlapping_on_the_same_orders_lose_no_change, Schemas) {
    // Two gateway instances during a rebalance: one holds an order-created partition, the
    // other the order-events partition of the same orders, and both apply at once - each
    // round the same few orders, started together.
    constexpr int kOrders = 100;
    constexpr int kOrdersPerRound = 2;
    const testing::OrderViewFeed feed(kOrders);
    const auto records = records_of(feed);
    std::map<std::string, int> round_of;
    for (int n = 0; n < kOrders; ++n) {
        round_of[feed.order_ids()[static_cast<std::size_t>(n)]] = n / kOrdersPerRound;
    }
    constexpr int kRounds = kOrders / kOrdersPerRound;
    std::vector<std::vector<FeedChange>> created(kRounds);
    std::vector<std::vector<FeedChange>> events(kRounds);
    for (const auto& record : records) {
        const auto round = static_cast<std::size_t>(round_of.at(record.change->order_id));
        if (record.position.topic == "order-events") {
            events[round].push_back(record);
            continue;
        }
        // Redelivered again and again while the other writer moves the order on: each
        // delivery reads the order's row and writes it back.
        for (int repeat = 0; repeat < 8; ++repeat) created[round].push_back(record);
    }
    const auto shared = make("views_shared");
    const auto serial = make("views_serial");
    gateway::PgOrderViewStore first(database(), 1, shared);
    gateway::PgOrderViewStore second(database(), 1, shared);
    gateway::PgOrderViewStore reference(database(), 1, serial);
    std::barrier start_round(2);
    const auto write = [&start_round](gateway::PgOrderViewStore& store,
                                      const std::vector<std::vector<FeedChange>>& rounds) {
        for (const auto& round : rounds) {
            start_round.arrive_and_wait();
            // Each event in a transaction of its own, so the other writer's commits land
            // between this writer's reads and writes of the same order.
            for (const auto& record : round) store.apply({record});
        }
    };
    {
        std::jthread writing_created([&] { write(first, created); });
        std::jthread writing_events([&] { write(second, events); });
    }
    one_at_a_time(reference, records);
    require_same_views(shared, serial);
}

BOOST_FIXTURE_TEST_CASE(a_cached_row_another_writer_changed_is_read_again_not_overwritten,
                        Schemas) {
    // One gateway caches the orders it saw created; during a rebalance another applies their
    // outcomes; then the first is offered the creations again (a redelivery). Written from
    // its cache, the orders would be PENDING again.
    const testing::OrderViewFeed feed(8);
    const auto records = records_of(feed);
    std::vector<FeedChange> created;
    for (const auto& record : records) {
        if (record.position.topic == "order-created") created.push_back(record);
    }
    const auto shared = make("views_cached_shared");
    const auto serial = make("views_cached_serial");
    gateway::PgOrderViewStore first(database(), 1, shared);
    gateway::PgOrderViewStore second(database(), 1, shared);
    gateway::PgOrderViewStore reference(database(), 1, serial, 0);

    first.apply(created);
    BOOST_TEST(first.cached_summaries() == 8U);
    second.apply(records);
    first.apply(created);
    reference.apply(records);
    require_same_views(shared, serial);
    BOOST_TEST(first.cached_summaries() == 8U);

    // An operator's fix by hand keeps the token: the trigger clears it, so the next write
    // folds onto the fixed row instead of the cached one.
    const auto fixed = feed.order_ids().front();
    *session << "UPDATE " + shared +
                    ".order_summaries SET status = 'CANCELLED', status_version = 99 WHERE "
                    "order_id = CAST(:order AS uuid)",
        soci::use(fixed, "order");
    BOOST_TEST(testing::OrderViewFeed::final_status(0) != "CANCELLED");
    first.apply(created);  // its cache holds every row as the last write left it
    const auto view = first.find(fixed);
    BOOST_REQUIRE(view.has_value());
    BOOST_TEST(view->status == "CANCELLED");
    BOOST_TEST(rows(shared, "order_summaries", "status_version").size() == 8U);
    BOOST_TEST(rows(shared, "order_summaries WHERE status_version = 99", "status_version").size() ==
               1U);
}

namespace {

// What the order-service's store holds for the feed's orders: each event once, in stream
// order, the outcomes committed after the next orders were accepted (so orders span batches).
std::vector<OrderViewChange> store_changes(const testing::OrderViewFeed& feed) {
    std::set<std::string> seen;
    std::vector<OrderViewChange> stream_events;
    for (const auto& event : feed.events()) {
        const auto& change = event.change;
        if (change.history && seen.insert(change.history->event_id).second) {
            stream_events.push_back(change);
        }
    }
    std::stable_sort(
        stream_events.begin(), stream_events.end(),
        [](const OrderViewChange& left, const OrderViewChange& right) {
            const auto phase = [](const OrderViewChange& change) {
                return std::min<std::int64_t>(change.history->version, 3);
            };
            return phase(left) < phase(right) ||
                   (phase(left) == phase(right) && left.history->version < right.history->version);
        });
    return stream_events;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_second_rebuild_of_the_same_views_is_refused_while_the_first_runs,
                        Schemas) {
    const auto views = make("views_rebuilt_once");
    const auto other = make("views_rebuilt_elsewhere");
    auto first = std::make_unique<gateway::PgOrderViewRebuild>(database(), views);
    BOOST_CHECK_EXCEPTION(gateway::PgOrderViewRebuild(database(), views),
                          gateway::RebuildInProgress, [](const auto& refused) {
                              const std::string reason = refused.what();
                              return reason.find("another rebuild") != std::string::npos &&
                                     reason.find("PostgreSQL backend") != std::string::npos;
                          });
    // Other tables are another rebuild's business.
    BOOST_CHECK_NO_THROW(gateway::PgOrderViewRebuild(database(), other));
    first.reset();  // its session ends, and the lock with it
    BOOST_CHECK_NO_THROW(gateway::PgOrderViewRebuild(database(), views));
}

BOOST_FIXTURE_TEST_CASE(a_rebuild_from_the_store_by_copy_gives_the_idempotent_rows_and_hands_over,
                        Schemas) {
    const testing::OrderViewFeed feed(9);
    const auto changes = store_changes(feed);
    const auto rebuilt = make("views_rebuilt");
    const auto reference = make("views_reference");
    // An order the gateway placed that the order service has not accepted yet, and where the
    // live projection's feed stands.
    auto placed = feed.events().front().change;
    placed.order_id = core::new_uuid();
    placed.history.reset();
    placed.status->version = 0;  // as OrderCreated says it
    placed.details->customer_id = "placed-only";
    const FeedChange placed_record{placed, FeedPosition{"order-created", 3, 41}};

    const auto batch = [&](std::size_t from, std::size_t to) {
        return std::vector<OrderViewChange>(changes.begin() + static_cast<std::ptrdiff_t>(from),
                                            changes.begin() + static_cast<std::ptrdiff_t>(to));
    };
    const std::size_t cut = 11;
    {
        gateway::PgOrderViewStore live(database(), 1, rebuilt);
        live.apply({placed_record});
        gateway::PgOrderViewRebuild rebuild(database(), rebuilt);
        BOOST_TEST(rebuild.open(true, gateway::WritePath::kStoreBulkLoad).empty());
        rebuild.apply_from_store(batch(0, 4), {1, 4});
        rebuild.apply_from_store(batch(4, cut), {2, 11});
    }  // killed here
    {
        gateway::PgOrderViewRebuild rebuild(database(), rebuilt);
        rebuild.open(false, gateway::WritePath::kStoreBulkLoad);
        const auto resume = rebuild.store_position();
        BOOST_REQUIRE(resume.has_value());
        BOOST_TEST(resume->transaction == 2U);
        BOOST_TEST(resume->global_position == 11);
        for (std::size_t at = cut; at < changes.size(); at += 6) {
            const auto to = std::min(at + 6, changes.size());
            rebuild.apply_from_store(batch(at, to), {3 + at, static_cast<std::int64_t>(to)});
        }
        rebuild.build_indexes();
        rebuild.lock_live();
        rebuild.hand_over_to_live_feed();
        rebuild.swap();
    }
    gateway::PgOrderViewStore expected(database(), 1, reference);
    expected.apply({placed_record});
    for (const auto& change : changes) expected.apply({{change, FeedPosition{"x", 0, 0}}});

    require_same_views(rebuilt, reference);
    BOOST_TEST(rows(rebuilt, "order_views_offsets", "topic, partition, next_offset") ==
               std::vector<std::string>{"(order-created,3,42)"});
    BOOST_TEST(rows(rebuilt, "order_summaries", "customer_id").size() == 10U);
    // The swapped-in tables carry every index the live ones had.
    soci::rowset<std::string> indexes =
        (session->prepare << "SELECT indexname FROM pg_indexes WHERE schemaname = :schema",
         soci::use(rebuilt, "schema"));
    const std::set<std::string> index_names(indexes.begin(), indexes.end());
    for (const auto* index :
         {"order_summaries_pkey", "order_summaries_by_customer", "order_summaries_by_status",
          "order_summaries_by_creation", "order_history_pkey", "order_views_offsets_pkey"}) {
        BOOST_TEST(index_names.contains(index), index);
    }
    BOOST_TEST(index_names.size() == 6U);
}

BOOST_FIXTURE_TEST_CASE(a_history_keyed_by_event_id_is_rekeyed_and_redelivery_still_adds_nothing,
                        Schemas) {
    const testing::OrderViewFeed feed(6);
    const auto records = records_of(feed);
    const auto current = make("views_current");
    const auto upgraded = make("views_upgraded");
    gateway::PgOrderViewStore reference(database(), 1, current);
    reference.apply(records);
    // The history as gateways before ADR 26 made it, holding what they had applied.
    *session << "CREATE SCHEMA " + upgraded;
    *session << "CREATE TABLE " + upgraded +
                    ".order_history (event_id uuid PRIMARY KEY, order_id uuid NOT NULL, type text "
                    "NOT NULL, version bigint NOT NULL, occurred_at timestamptz NOT NULL, status "
                    "text, cancellation_reason text)";
    *session << "CREATE INDEX order_history_by_order ON " + upgraded +
                    ".order_history (order_id, version)";
    *session << "INSERT INTO " + upgraded + ".order_history SELECT * FROM " + current +
                    ".order_history";

    gateway::PgOrderViewStore store(database(), 1, upgraded);
    store.apply(records);  // every event again: each is already there

    BOOST_TEST(rows(upgraded, "order_history", gateway::kHistoryColumns) ==
                   rows(current, "order_history", gateway::kHistoryColumns),
               boost::test_tools::per_element());
    BOOST_TEST(primary_key(upgraded + ".order_history") == "PRIMARY KEY (order_id, version)");
    BOOST_TEST(!has_index(upgraded, "order_history_by_order"));
}
