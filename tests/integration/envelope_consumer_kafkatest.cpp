// The shared consume loop against the real broker: contract violations and unprocessable
// records land on a dead-letter topic with their origin and reason, a failing handler is
// retried on the same record, and offsets are committed only for what was handled.
#include <boost/test/unit_test.hpp>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/kafka/admin.hpp"
#include "ordersource/messaging/envelope_consumer.hpp"
#include "ordersource/testing/environment.hpp"

using namespace std::chrono_literals;
using namespace ordersource;

namespace {

kafka::Properties broker() {
    return {{"bootstrap.servers", testing::kafka_bootstrap()}};
}

std::string order_created(const std::string& event_id) {
    return contracts::to_json(contracts::Envelope{
        .event_id = event_id,
        .type = "OrderCreated",
        .schema_version = 1,
        .stream_id = "order-8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f",
        .stream_version = 0,
        .occurred_at = "2026-11-24T18:34:00.123Z",
        .correlation_id = "corr-dlq",
        .causation_id = "",
        .payload_json = R"({"orderId":"8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f","customerId":"c-1",)"
                        R"("currency":"USD","items":[{"sku":"SKU-1","quantity":2,)"
                        R"("unitPrice":"49.99"}],"total":"99.98"})"});
}

struct Topics {
    Topics()
        : source(testing::unique_name("dlq-source")), dead_letters(testing::unique_name("dlq")) {
        BOOST_REQUIRE(
            !kafka::create_topics(broker(), {{.name = source}, {.name = dead_letters}}, 30s));
    }
    std::string source;
    std::string dead_letters;
};

std::vector<kafka::Record> read_all(const std::string& topic, std::size_t count) {
    auto config = broker();
    config["group.id"] = testing::unique_name("reader");
    kafka::Consumer consumer(config, {topic});
    std::vector<kafka::Record> records;
    testing::eventually(
        [&] {
            if (auto record = consumer.poll(200ms)) records.push_back(std::move(*record));
            return records.size() >= count;
        },
        60s, 0ms);
    return records;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(bad_records_go_to_dead_letters_and_handled_ones_are_committed, Topics) {
    kafka::Producer producer(broker());
    const std::string good_id = "11111111-1111-4111-8111-111111111111";
    const std::string refused_id = "22222222-2222-4222-8222-222222222222";
    BOOST_REQUIRE(!producer.produce_and_wait({source, "k-garbage", "{not json"}).error);
    BOOST_REQUIRE(!producer.produce_and_wait({source, "k-good", order_created(good_id)}).error);
    BOOST_REQUIRE(
        !producer.produce_and_wait({source, "k-refused", order_created(refused_id)}).error);

    const std::string group = testing::unique_name("group");
    auto config = broker();
    config["group.id"] = group;
    std::vector<std::string> handled;
    int failures_left = 2;  // the first attempts at the good record fail like a database outage
    {
        kafka::Consumer consumer(config, {source});
        messaging::DeadLetterPublisher publisher(producer, dead_letters);
        messaging::EnvelopeConsumer loop(consumer, publisher,
                                         [&](const contracts::Envelope& envelope,
                                             const kafka::Record&) -> messaging::HandleOutcome {
                                             if (envelope.event_id == refused_id)
                                                 return messaging::Unprocessable{"refused by test"};
                                             if (failures_left > 0) {
                                                 --failures_left;
                                                 throw std::runtime_error("database unavailable");
                                             }
                                             handled.push_back(envelope.event_id);
                                             return messaging::Handled{};
                                         },
                                         {.group = group, .retry_wait = 10ms});
        BOOST_REQUIRE(testing::eventually(
            [&] {
                loop.poll_once();
                return loop.counters().handled + loop.counters().dead_lettered == 3;
            },
            60s, 0ms));
        BOOST_TEST(loop.counters().handler_failures == 2u);
        BOOST_TEST(loop.counters().dead_lettered == 2u);
        BOOST_TEST(handled == std::vector<std::string>{good_id});
        BOOST_TEST(loop.commit_handled());
    }

    const auto letters = read_all(dead_letters, 2);
    BOOST_REQUIRE_EQUAL(letters.size(), 2u);
    BOOST_TEST(letters[0].key == "k-garbage");
    BOOST_TEST(letters[0].value == "{not json");
    BOOST_TEST(letters[0].header("dlq-source-topic").value_or("") == source);
    BOOST_TEST(letters[0].header("dlq-source-partition").value_or("") == "0");
    BOOST_TEST(letters[0].header("dlq-source-offset").value_or("") == "0");
    BOOST_TEST(letters[0].header("dlq-consumer-group").value_or("") == group);
    BOOST_TEST(!letters[0].header("dlq-reason").value_or("").empty());
    BOOST_TEST(letters[1].key == "k-refused");
    BOOST_TEST(letters[1].header("dlq-source-offset").value_or("") == "2");
    BOOST_TEST(letters[1].header("dlq-reason").value_or("") == "refused by test");

    // The group resumes after everything it handled: the next record it sees is a new one.
    BOOST_REQUIRE(!producer.produce_and_wait({source, "k-next", "next"}).error);
    kafka::Consumer resumed(config, {source});
    std::optional<kafka::Record> next;
    BOOST_REQUIRE(
        testing::eventually([&] { return (next = resumed.poll(200ms)).has_value(); }, 60s, 0ms));
    BOOST_TEST(next->key == "k-next");
    BOOST_TEST(next->offset == 3);
}

// A flood of unparseable records polled together is dead-lettered as a batch (produced at
// once, then awaited): every one lands exactly once, in the order of the source, and the
// group commits past all of them.
BOOST_FIXTURE_TEST_CASE(a_batch_of_bad_records_is_dead_lettered_at_once_and_in_order, Topics) {
    constexpr int kBad = 300;
    kafka::Producer producer(broker());
    for (int i = 0; i < kBad; ++i) {
        BOOST_REQUIRE(
            !producer.produce({source, "k-" + std::to_string(i), "{bad " + std::to_string(i)},
                              [](const kafka::DeliveryReport&) {}));
    }
    BOOST_REQUIRE(producer.flush(30s));

    const std::string group = testing::unique_name("group");
    auto config = broker();
    config["group.id"] = group;
    {
        kafka::Consumer consumer(config, {source});
        messaging::DeadLetterPublisher publisher(producer, dead_letters);
        messaging::EnvelopeConsumer loop(
            consumer, publisher,
            [](const contracts::Envelope&, const kafka::Record&) -> messaging::HandleOutcome {
                return messaging::Handled{};
            },
            {.group = group, .max_batch = 500});
        BOOST_REQUIRE(testing::eventually(
            [&] {
                loop.poll_once();
                return loop.counters().dead_lettered == static_cast<std::uint64_t>(kBad);
            },
            60s, 0ms));
        BOOST_TEST(loop.counters().handled == 0u);
        BOOST_TEST(loop.commit_handled());
    }
    const auto letters = read_all(dead_letters, kBad);
    BOOST_REQUIRE_EQUAL(letters.size(), static_cast<std::size_t>(kBad));
    for (std::size_t i = 0; i < letters.size(); ++i) {
        BOOST_TEST(letters[i].key == "k-" + std::to_string(i));
        BOOST_TEST(letters[i].header("dlq-source-offset").value_or("") == std::to_string(i));
    }
}
