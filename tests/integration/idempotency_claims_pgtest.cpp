// The gateway's Idempotency-Key claims in the real PostgreSQL: claims queued together share one
// statement and commit; a linger (ADR 24) gathers claims that arrive after the first, yet a full
// batch is written at once and stopping answers what is queued.
#include <boost/test/unit_test.hpp>
#include <future>
#include <memory>
#include <thread>

#include "adapters/pg_idempotency_store.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/metrics/registry.hpp"
#include "ordersource/testing/environment.hpp"
#include "ordersource/testing/test_database.hpp"

using namespace std::chrono_literals;
using namespace ordersource;
using Claimed = gateway::IdempotencyStore::Claimed;

namespace {

struct Claims {
    explicit Claims(gateway::ClaimBatching batching)
        : claim_seconds(metrics::default_latency_buckets()),
          write_seconds(metrics::default_latency_buckets()),
          store(std::make_unique<gateway::PgIdempotencyStore>(
              testing::test_database(),
              batching,
              gateway::ClaimTimings{&claim_seconds, &write_seconds})) {}

    std::future<Claimed> claim(const std::string& key) {
        auto answer = std::make_shared<std::promise<Claimed>>();
        auto future = answer->get_future();
        store->claim(key, {core::new_uuid(), "fingerprint"},
                     [answer](Claimed claimed) { answer->set_value(std::move(claimed)); });
        return future;
    }
    // Statements (each with its commit) written so far.
    std::uint64_t batches() const { return write_seconds.snapshot().count; }

    metrics::Histogram claim_seconds;
    metrics::Histogram write_seconds;
    std::unique_ptr<gateway::PgIdempotencyStore> store;
};

bool answered_with_a_record(std::future<Claimed>& answer, std::chrono::seconds within) {
    if (answer.wait_for(within) != std::future_status::ready) return false;
    return std::holds_alternative<gateway::IdempotencyRecord>(answer.get());
}

}  // namespace

BOOST_AUTO_TEST_CASE(claims_arriving_within_the_linger_share_one_commit) {
    Claims claims({.max_batch = 500, .linger = 2s});
    const auto key = testing::unique_name("linger");
    auto first = claims.claim(key + "-1");
    // A second claim 200 ms later, well inside the first's linger.
    std::this_thread::sleep_for(200ms);
    BOOST_TEST((first.wait_for(0s) == std::future_status::timeout));
    auto second = claims.claim(key + "-2");
    BOOST_TEST(answered_with_a_record(first, 30s));
    BOOST_TEST(answered_with_a_record(second, 30s));
    BOOST_TEST(claims.batches() == 1U);
}

BOOST_AUTO_TEST_CASE(without_a_linger_each_claim_is_written_when_it_comes) {
    Claims claims({.max_batch = 500, .linger = 0s});
    const auto key = testing::unique_name("no-linger");
    auto first = claims.claim(key + "-1");
    BOOST_TEST(answered_with_a_record(first, 30s));
    auto second = claims.claim(key + "-2");
    BOOST_TEST(answered_with_a_record(second, 30s));
    BOOST_TEST(claims.batches() == 2U);
}

BOOST_AUTO_TEST_CASE(enough_claims_are_written_without_waiting_out_the_linger) {
    for (const auto batching :
         {gateway::ClaimBatching{.max_batch = 500, .linger = 600s, .linger_until = 3},
          gateway::ClaimBatching{.max_batch = 3, .linger = 600s, .linger_until = 8}}) {
        Claims claims(batching);
        const auto key = testing::unique_name("enough");
        std::vector<std::future<Claimed>> answers;
        for (int i = 0; i < 3; ++i) answers.push_back(claims.claim(key + "-" + std::to_string(i)));
        for (auto& answer : answers) BOOST_TEST(answered_with_a_record(answer, 30s));
        BOOST_TEST(claims.batches() == 1U);
    }
}

BOOST_AUTO_TEST_CASE(stopping_answers_claims_still_lingering) {
    Claims claims({.max_batch = 500, .linger = 600s});
    auto lingering = claims.claim(testing::unique_name("stopping"));
    BOOST_TEST((lingering.wait_for(100ms) == std::future_status::timeout));
    claims.store.reset();
    BOOST_TEST(answered_with_a_record(lingering, 0s));
}
