// Applying order-view changes a batch at a time folds to exactly what applying them one by one
// does, whatever the batch boundaries; the times the fold compares; the rows COPY sends.
#include <boost/test/unit_test.hpp>
#include <map>
#include <set>
#include <unordered_set>

#include "adapters/pg_copy.hpp"
#include "domain/order_summary_fold.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/testing/order_view_feed.hpp"

using namespace ordersource;
using namespace std::string_literals;
using gateway::OrderViewChange;
using gateway::SummaryRow;

namespace {

// The live projector before batching: each change in turn, skipped when its event was seen.
std::map<std::string, SummaryRow> one_by_one(const std::vector<OrderViewChange>& changes) {
    std::map<std::string, SummaryRow> rows;
    std::set<std::string> seen;
    for (const auto& raw : changes) {
        const auto change = gateway::with_normalised_times(raw);
        if (change.history && !seen.insert(change.history->event_id).second) continue;
        const auto found = rows.find(change.order_id);
        auto before = found == rows.end() ? std::nullopt : std::optional(found->second);
        rows[change.order_id] = gateway::fold_summary(std::move(before), change);
    }
    return rows;
}

// What apply_order_view_batch does in memory, batch after batch: `stored` plays the history
// table (its event ids), `rows` the summaries table.
std::map<std::string, SummaryRow> in_batches(const std::vector<OrderViewChange>& changes,
                                             std::size_t size) {
    std::map<std::string, SummaryRow> rows;
    std::set<std::string> stored;
    for (std::size_t first = 0; first < changes.size(); first += size) {
        std::vector<OrderViewChange> batch;
        for (std::size_t i = first; i < std::min(first + size, changes.size()); ++i) {
            batch.push_back(gateway::with_normalised_times(changes[i]));
        }
        std::unordered_set<std::string_view> new_ids;
        std::vector<std::string> inserted;
        for (const auto& change : batch) {
            if (change.history && stored.insert(change.history->event_id).second) {
                inserted.push_back(change.history->event_id);
            }
        }
        new_ids.insert(inserted.begin(), inserted.end());
        const auto unseen = gateway::unseen_changes(batch, new_ids);
        std::map<std::string, SummaryRow> touched;
        for (const auto order_id : gateway::touched_orders(unseen)) {
            const auto found = rows.find(std::string(order_id));
            if (found != rows.end()) touched.insert(*found);
        }
        gateway::fold_summaries(touched, unseen);
        for (auto& [id, row] : touched) rows[id] = std::move(row);
    }
    return rows;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_batch_folds_to_what_applying_its_changes_one_by_one_gives) {
    const testing::OrderViewFeed feed(8);
    const auto changes = feed.changes();
    const auto expected = one_by_one(changes);
    BOOST_REQUIRE(expected.size() == 8U);
    for (int n = 0; n < 8; ++n) {
        const auto& row = expected.at(feed.order_ids()[static_cast<std::size_t>(n)]);
        BOOST_TEST_CONTEXT("order " << n) {
            // Late older status events and repeats never move the status back.
            BOOST_TEST(row.status == testing::OrderViewFeed::final_status(n));
            BOOST_TEST(row.status_version == (n % 4 == 1 ? 5 : 3));
            // The earliest creation time any event states, whichever arrived first.
            BOOST_TEST(row.created_at == testing::OrderViewFeed::created_at(n));
            BOOST_TEST(row.item_count == 1);
            BOOST_TEST(row.cancellation_reason.value_or("-") ==
                       (n % 4 == 2 ? "PAYMENT_DECLINED" : "-"));
        }
    }
    for (const std::size_t size :
         {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, changes.size()}) {
        BOOST_TEST_CONTEXT("batches of " << size) {
            BOOST_TEST((in_batches(changes, size) == expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(unseen_changes_keep_the_first_of_each_new_event_and_every_order_created) {
    const testing::OrderViewFeed feed(4);
    const auto changes = feed.changes();
    std::unordered_set<std::string_view> all;
    for (const auto& change : changes) {
        if (change.history) all.insert(change.history->event_id);
    }
    const auto unseen = gateway::unseen_changes(changes, all);
    std::set<std::string> ids;
    std::size_t created = 0;
    for (const auto* change : unseen) {
        if (!change->history) {
            ++created;
            continue;
        }
        BOOST_TEST(ids.insert(change->history->event_id).second);  // no event twice
    }
    BOOST_TEST(ids.size() == all.size());
    BOOST_TEST(created == 5U);  // order 2's OrderCreated came twice: both are applied
    // Nothing new: only the changes without an event id (OrderCreated) remain.
    BOOST_TEST(gateway::unseen_changes(changes, {}).size() == created);
}

BOOST_AUTO_TEST_CASE(orders_whose_stream_starts_in_a_batch_are_named) {
    const testing::OrderViewFeed feed(2);
    const auto changes = feed.changes();
    std::vector<const OrderViewChange*> all;
    std::vector<const OrderViewChange*> later;
    for (const auto& change : changes) {
        all.push_back(&change);
        if (change.history && change.history->version > 1) later.push_back(&change);
    }
    BOOST_TEST(gateway::orders_starting_in(all).size() == 2U);
    BOOST_TEST(gateway::orders_starting_in(later).empty());
    BOOST_TEST(gateway::touched_orders(later).size() == 2U);
}

BOOST_AUTO_TEST_CASE(times_are_normalised_to_utc_milliseconds_before_they_are_compared) {
    OrderViewChange change;
    change.occurred_at = "2026-11-24T19:34:00.1234+01:00";
    change.created_at = "2026-11-24T18:33:00Z";
    change.history = gateway::HistoryEntry{"e", "OrderConfirmed", 3, change.occurred_at, {}, {}};
    const auto normal = gateway::with_normalised_times(change);
    BOOST_TEST(normal.occurred_at == "2026-11-24T18:34:00.123Z");
    BOOST_TEST(*normal.created_at == "2026-11-24T18:33:00.000Z");
    BOOST_TEST(normal.history->occurred_at == "2026-11-24T18:34:00.123Z");
}

BOOST_AUTO_TEST_CASE(copy_rows_are_postgres_binary_copy_format) {
    gateway::CopyRows rows(4);
    rows.row()
        .uuid("00112233-4455-6677-8899-aabbccddeeff")
        .timestamptz("2000-01-01T00:00:01.500Z")
        .nullable_text(std::nullopt)
        .jsonb("[]");
    BOOST_TEST(rows.rows() == 1U);
    const auto stream = rows.stream();
    const std::string header("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
    BOOST_REQUIRE(stream.size() > header.size());
    BOOST_TEST(stream.substr(0, header.size()) == header);
    const std::string row = stream.substr(header.size());
    const std::string expected =
        std::string("\0\4", 2) +        // 4 fields
        std::string("\0\0\0\x10", 4) +  // uuid: 16 bytes
        "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"s +
        std::string("\0\0\0\x08", 4) +                           // 1.5 s after 2000 in µs
        std::string("\0\0\0\0\0\x16\xe3\x60", 8) +               // 1,500,000
        std::string("\xff\xff\xff\xff", 4) +                     // NULL
        std::string("\0\0\0\x03", 4) + std::string("\1[]", 3) +  // jsonb version 1
        std::string("\xff\xff", 2);                              // trailer
    BOOST_TEST(row == expected);
    BOOST_CHECK_THROW(rows.row().uuid("not-a-uuid"), std::invalid_argument);
    // The right shape with one character that is not a hex digit, in either half of a byte.
    BOOST_CHECK_THROW(rows.row().uuid("00112233-4455-6677-8899-aabbccddeefg"),
                      std::invalid_argument);
    BOOST_CHECK_THROW(rows.row().uuid("g0112233-4455-6677-8899-aabbccddeeff"),
                      std::invalid_argument);
    BOOST_CHECK_THROW(rows.row().timestamptz("yesterday"), std::invalid_argument);

    gateway::CopyRows upper(1);
    upper.row().uuid("00112233-4455-6677-8899-AABBCCDDEEFF");
    BOOST_TEST(upper.stream().substr(header.size() + 6, 16) ==
               "\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"s);
}
