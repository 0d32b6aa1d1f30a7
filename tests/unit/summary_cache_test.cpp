// The live projector's summary cache: rows count only once their batch commits, a rolled-back
// batch leaves nothing, a taken row is gone until staged again, the first cached leave first,
// and tokens do not repeat.
#include "adapters/summary_cache.hpp"

#include <boost/test/unit_test.hpp>
#include <set>

using ordersource::gateway::SummaryCache;
using ordersource::gateway::SummaryRow;

namespace {

SummaryRow row_of(const std::string& order_id, const std::string& status) {
    SummaryRow row;
    row.order_id = order_id;
    row.status = status;
    return row;
}

void cache_now(SummaryCache& cache, const std::string& order_id, std::int64_t token) {
    cache.stage(row_of(order_id, "PENDING"), token);
    cache.commit_staged();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_staged_row_is_cached_only_after_commit_and_never_after_discard) {
    SummaryCache cache(4);
    cache.stage(row_of("a", "PENDING"), 1);
    BOOST_TEST(cache.size() == 0U);
    cache.commit_staged();
    BOOST_TEST(cache.size() == 1U);

    cache.stage(row_of("b", "PENDING"), 3);
    cache.discard_staged();
    cache.commit_staged();
    BOOST_TEST(!cache.take("b").has_value());
    const auto a = cache.take("a");
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST(a->token == 1);
    BOOST_TEST(a->row.status == "PENDING");
}

BOOST_AUTO_TEST_CASE(a_taken_row_is_gone_until_its_batch_stages_it_again) {
    SummaryCache cache(4);
    cache_now(cache, "a", 1);
    auto taken = cache.take("a");
    BOOST_REQUIRE(taken.has_value());
    BOOST_TEST(cache.size() == 0U);
    BOOST_TEST(!cache.take("a").has_value());
    taken->row.status = "CONFIRMED";
    cache.stage(std::move(taken->row), 2);
    cache.commit_staged();
    BOOST_TEST(cache.size() == 1U);
    const auto again = cache.take("a");
    BOOST_REQUIRE(again.has_value());
    BOOST_TEST(again->token == 2);
    BOOST_TEST(again->row.status == "CONFIRMED");
}

BOOST_AUTO_TEST_CASE(a_full_cache_drops_the_row_cached_first) {
    SummaryCache cache(2);
    cache_now(cache, "a", 1);
    cache_now(cache, "b", 2);
    cache_now(cache, "a", 3);  // written again: still the first cached
    cache_now(cache, "c", 4);
    BOOST_TEST(cache.size() == 2U);
    BOOST_TEST(!cache.take("a").has_value());
    BOOST_TEST(cache.take("b").has_value());
    const auto c = cache.take("c");
    BOOST_REQUIRE(c.has_value());
    BOOST_TEST(c->token == 4);
    // Taken rows still hold their places: two more rows push both out, and the size stays
    // what is cached.
    cache_now(cache, "d", 5);
    cache_now(cache, "e", 6);
    BOOST_TEST(cache.size() == 2U);
    BOOST_TEST(cache.take("d").has_value());
    BOOST_TEST(cache.take("e").has_value());
}

BOOST_AUTO_TEST_CASE(a_cache_of_no_rows_keeps_nothing) {
    SummaryCache cache(0);
    cache_now(cache, "a", 1);
    BOOST_TEST(cache.size() == 0U);
    BOOST_TEST(!cache.take("a").has_value());
}

BOOST_AUTO_TEST_CASE(tokens_do_not_repeat) {
    std::set<std::int64_t> tokens;
    for (int n = 0; n < 10'000; ++n) tokens.insert(ordersource::gateway::new_writer_token());
    BOOST_TEST(tokens.size() == 10'000U);
}
