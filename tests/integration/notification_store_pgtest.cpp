// The notification observer's store in the real PostgreSQL: a batch of observations (with
// redeliveries, and owners learnt twice) records what recording them one at a time records,
// reports each notification as new exactly once, and a redelivered batch records nothing.
#include <boost/test/unit_test.hpp>

#include "adapters/pg_notification_store.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/pg/connection.hpp"
#include "ordersource/testing/pg_schemas.hpp"

using namespace ordersource;

namespace {

pg::ConnectionSettings database() {
    return testing::test_database();
}

// Three orders, each created (owner only), accepted (owner and notification) and confirmed;
// every event of the second order delivered twice.
std::vector<notifier::Observation> observations() {
    std::vector<notifier::Observation> result;
    for (int n = 0; n < 3; ++n) {
        const auto order = core::new_uuid();
        const notifier::OrderOwner owner{order, "c-" + std::to_string(n)};
        const std::vector<notifier::Observation> order_events{
            {owner, std::nullopt},
            {owner, notifier::Notification{core::new_uuid(), order, "ACCEPTED", "accepted",
                                           "2026-11-24T18:34:00.123Z"}},
            {std::nullopt, notifier::Notification{core::new_uuid(), order, "CONFIRMED", "confirmed",
                                                  "2026-11-24T18:34:01.123Z"}}};
        for (int repeat = 0; repeat < (n == 1 ? 2 : 1); ++repeat) {
            result.insert(result.end(), order_events.begin(), order_events.end());
        }
    }
    return result;
}

// What a schema's two tables hold, as sorted text.
struct Schemas : testing::PgSchemas {
    std::vector<std::string> notifications(const std::string& schema) {
        return rows("SELECT event_id, order_id, kind, message, occurred_at FROM " + schema +
                    ".notifications");
    }
    std::vector<std::string> owners(const std::string& schema) {
        return rows("SELECT order_id, customer_id FROM " + schema + ".notifier_order_owners");
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_batch_records_what_one_at_a_time_records_and_each_notification_once,
                        Schemas) {
    const auto all = observations();
    const auto single = make("notify_single");
    const auto batched = make("notify_batched");
    notifier::PgNotificationStore one_by_one(database(), 1, single);
    notifier::PgNotificationStore in_batch(database(), 1, batched);

    std::size_t new_one_by_one = 0;
    for (const auto& observation : all) new_one_by_one += one_by_one.record({observation}).size();
    const auto recorded = in_batch.record(all);
    BOOST_TEST(recorded.size() == 6U);  // 3 orders x (accepted, confirmed), repeats not twice
    BOOST_TEST(new_one_by_one == 6U);
    BOOST_TEST(in_batch.record(all).empty());  // the consume loop offers the batch again

    BOOST_TEST(notifications(batched).size() == 6U);
    BOOST_TEST(notifications(batched) == notifications(single), boost::test_tools::per_element());
    BOOST_TEST(owners(batched).size() == 3U);
    BOOST_TEST(owners(batched) == owners(single), boost::test_tools::per_element());
    const auto stored = in_batch.for_order(all.front().owner->order_id);
    BOOST_REQUIRE(stored.size() == 2U);
    BOOST_TEST(stored[0].notification.kind == "ACCEPTED");
    BOOST_TEST(stored[0].customer_id == "c-0");
}

BOOST_FIXTURE_TEST_CASE(a_table_keyed_by_event_id_is_rekeyed_and_redelivery_still_adds_nothing,
                        Schemas) {
    const auto all = observations();
    const auto current = make("notify_current");
    const auto upgraded = make("notify_upgraded");
    notifier::PgNotificationStore reference(database(), 1, current);
    reference.record(all);
    // The table as observers before ADR 27 made it, holding what they had recorded.
    *session << "CREATE SCHEMA " + upgraded;
    *session << "CREATE TABLE " + upgraded +
                    ".notifications (event_id uuid PRIMARY KEY, order_id uuid NOT NULL, kind text "
                    "NOT NULL, message text NOT NULL, occurred_at timestamptz NOT NULL, "
                    "recorded_at timestamptz NOT NULL DEFAULT now())";
    *session << "CREATE INDEX notifications_by_order ON " + upgraded +
                    ".notifications (order_id, occurred_at, event_id)";
    *session << "INSERT INTO " + upgraded + ".notifications SELECT * FROM " + current +
                    ".notifications";

    notifier::PgNotificationStore store(database(), 1, upgraded);
    BOOST_TEST(store.record(all).empty());  // every event again: each is already there

    BOOST_TEST(notifications(upgraded) == notifications(current), boost::test_tools::per_element());
    BOOST_TEST(primary_key(upgraded + ".notifications") == "PRIMARY KEY (order_id, event_id)");
    BOOST_TEST(!has_index(upgraded, "notifications_by_order"));
    const auto stored = store.for_order(all.front().owner->order_id);
    BOOST_REQUIRE(stored.size() == 2U);
    BOOST_TEST(stored[0].notification.kind == "ACCEPTED");
    BOOST_TEST(stored[1].notification.kind == "CONFIRMED");
}
