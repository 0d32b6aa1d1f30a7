// Bulk paths of the PostgreSQL store, checked and timed: batches of several sizes, concurrent
// single-event appends, paging through read_all. Figures go to the test log; the default
// volume is small so the suite stays quick - ORDERSOURCE_BENCH_EVENTS=<n> scales it up (use a
// Release build for figures worth quoting).
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <latch>
#include <thread>

#include "ordersource/core/config.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/testing/eventstore_schema.hpp"

namespace es = ordersource::eventstore;
namespace testing = ordersource::testing;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t bench_events() {
    return static_cast<std::size_t>(
        ordersource::core::env_int("ORDERSOURCE_BENCH_EVENTS", 2000, 100, 10'000'000));
}

std::vector<es::NewEvent> make_batch(std::size_t count) {
    std::vector<es::NewEvent> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        batch.push_back({es::EventId{ordersource::core::new_uuid()},
                         "OrderLinePriced",
                         1,
                         R"({"orderId": "o-1", "sku": "SKU-12345", "quantity": 3, )"
                         R"("unitPriceCents": 1999, "note": "a typical small payload"})",
                         {"corr-1", "cause-1"}});
    }
    return batch;
}

double per_second(std::size_t count, Clock::duration elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(event_store_throughput, testing::EventStoreSchema)

BOOST_AUTO_TEST_CASE(batched_appends_store_every_event_and_read_all_returns_them_in_order) {
    const std::size_t total = bench_events();
    std::size_t appended = 0;
    for (const std::size_t batch_size :
         {std::size_t{1}, std::size_t{10}, std::size_t{100}, std::size_t{1000}}) {
        const std::size_t count = batch_size == 1 ? std::min<std::size_t>(total, 500) : total;
        std::vector<std::vector<es::NewEvent>> batches;
        for (std::size_t done = 0; done < count; done += batch_size) {
            batches.push_back(make_batch(std::min(batch_size, count - done)));
        }
        const es::StreamId stream{"bench-" + std::to_string(batch_size)};
        const auto started = Clock::now();
        for (const auto& batch : batches) {
            const auto outcome = store().append(stream, es::Any{}, batch);
            BOOST_REQUIRE_MESSAGE(std::holds_alternative<es::AppendResult>(outcome),
                                  es::describe(outcome));
        }
        const auto elapsed = Clock::now() - started;
        BOOST_TEST_MESSAGE("append, " << batch_size << " events per call: " << count << " events, "
                                      << static_cast<long>(per_second(count, elapsed))
                                      << " events/s");
        BOOST_TEST(store().read_stream(stream).size() == count);
        appended += count;
    }

    const auto started = Clock::now();
    std::vector<es::RecordedEvent> page;
    std::size_t read = 0;
    es::CommitPosition after = es::kStartOfAll;
    es::CommitPosition previous = es::kStartOfAll;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (read < appended && Clock::now() < deadline) {
        page = store().read_all(after, 1000);
        for (const auto& event : page) {
            BOOST_REQUIRE(previous < event.commit_position());
            previous = event.commit_position();
        }
        if (!page.empty()) {
            after = page.back().commit_position();
        }
        read += page.size();
    }
    const auto elapsed = Clock::now() - started;
    BOOST_TEST(read == appended);
    BOOST_TEST_MESSAGE("read_all, pages of 1000: " << read << " events, "
                                                   << static_cast<long>(per_second(read, elapsed))
                                                   << " events/s");
}

BOOST_AUTO_TEST_CASE(concurrent_single_event_appends_to_separate_streams) {
    constexpr int kWriters = 4;
    const std::size_t each = std::min<std::size_t>(bench_events(), 2000) / kWriters;
    std::latch start(kWriters + 1);
    std::vector<int> failures(kWriters, 0);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            const es::StreamId stream{"bench-writer-" + std::to_string(w)};
            std::vector<std::vector<es::NewEvent>> events;
            for (std::size_t i = 0; i < each; ++i) {
                events.push_back(make_batch(1));
            }
            start.arrive_and_wait();
            for (const auto& event : events) {
                if (!std::holds_alternative<es::AppendResult>(
                        store().append(stream, es::Any{}, event))) {
                    ++failures[static_cast<std::size_t>(w)];
                }
            }
        });
    }
    start.arrive_and_wait();
    const auto started = Clock::now();
    for (auto& writer : writers) {
        writer.join();
    }
    const auto elapsed = Clock::now() - started;
    BOOST_TEST(failures == std::vector<int>(kWriters, 0), boost::test_tools::per_element());
    const std::size_t count = each * kWriters;
    BOOST_TEST_MESSAGE("append, 1 event per call, "
                       << kWriters << " writers: " << count << " events, "
                       << static_cast<long>(per_second(count, elapsed)) << " events/s");
}

BOOST_AUTO_TEST_SUITE_END()
