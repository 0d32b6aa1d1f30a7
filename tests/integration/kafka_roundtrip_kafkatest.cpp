// A record with key and headers goes through the real broker and comes back intact,
// through the project's own producer and consumer adapters.
#include <boost/test/unit_test.hpp>
#include <future>
#include <set>
#include <thread>

#include "ordersource/kafka/admin.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/testing/environment.hpp"

using namespace std::chrono_literals;
namespace kafka = ordersource::kafka;
namespace testing = ordersource::testing;

namespace ordersource::kafka {
std::ostream& operator<<(std::ostream& out, const Header& header) {
    return out << header.key << '=' << header.value;
}
}  // namespace ordersource::kafka

BOOST_AUTO_TEST_CASE(produced_record_is_consumed_with_key_value_and_headers) {
    const kafka::Properties broker{{"bootstrap.servers", testing::kafka_bootstrap()}};
    const auto topic = testing::unique_name("roundtrip");
    BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 3}}, 30s));

    const kafka::OutgoingRecord sent{
        .topic = topic,
        .key = "order-" + topic,
        .value = R"({"hello":"world"})",
        .headers = {{"event-type", "Greeting"}, {"correlation-id", "c-123"}}};
    {
        kafka::Producer producer(broker);
        const auto report = producer.produce_and_wait(sent);
        BOOST_REQUIRE_MESSAGE(!report.error, (report.error ? report.error->message : ""));
        BOOST_TEST(report.offset == 0);
    }

    auto consumer_config = broker;
    consumer_config["group.id"] = testing::unique_name("roundtrip-group");
    kafka::Consumer consumer(consumer_config, {topic});
    std::optional<kafka::Record> received;
    BOOST_REQUIRE(testing::eventually([&] { return (received = consumer.poll(200ms)).has_value(); },
                                      60s, 0ms));
    BOOST_TEST(received->topic == topic);
    BOOST_TEST(received->key == sent.key);
    BOOST_TEST(received->value == sent.value);
    BOOST_TEST(received->headers == sent.headers, boost::test_tools::per_element());
    BOOST_TEST(received->header("correlation-id").value_or("") == "c-123");
    BOOST_TEST(!consumer.commit(*received));
}

BOOST_AUTO_TEST_CASE(same_key_always_lands_in_the_same_partition) {
    const kafka::Properties broker{{"bootstrap.servers", testing::kafka_bootstrap()}};
    const auto topic = testing::unique_name("partitioning");
    BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 6}}, 30s));
    kafka::Producer producer(broker);
    std::set<std::int32_t> partitions;
    for (int i = 0; i < 5; ++i) {
        const auto report =
            producer.produce_and_wait({.topic = topic, .key = "order-42", .value = "x"});
        BOOST_REQUIRE(!report.error);
        partitions.insert(report.partition);
    }
    BOOST_TEST(partitions.size() == 1U);
}

BOOST_AUTO_TEST_CASE(committed_offset_is_where_the_next_group_member_resumes) {
    const kafka::Properties broker{{"bootstrap.servers", testing::kafka_bootstrap()}};
    const auto topic = testing::unique_name("commit");
    BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 1}}, 30s));
    {
        kafka::Producer producer(broker);
        for (const char* value : {"first", "second"}) {
            BOOST_REQUIRE(
                !producer.produce_and_wait({.topic = topic, .key = "k", .value = value}).error);
        }
    }
    auto config = broker;
    config["group.id"] = testing::unique_name("commit-group");
    std::optional<kafka::Record> record;
    {
        kafka::Consumer first(config, {topic});
        BOOST_REQUIRE(testing::eventually([&] { return (record = first.poll(200ms)).has_value(); },
                                          60s, 0ms));
        BOOST_TEST(record->value == "first");
        BOOST_REQUIRE(!first.commit(*record));
    }
    kafka::Consumer second(config, {topic});
    BOOST_REQUIRE(
        testing::eventually([&] { return (record = second.poll(200ms)).has_value(); }, 60s, 0ms));
    BOOST_TEST(record->value == "second");
}

BOOST_AUTO_TEST_CASE(a_lingering_batch_takes_records_that_arrive_after_its_first) {
    const kafka::Properties broker{{"bootstrap.servers", testing::kafka_bootstrap()}};
    const auto topic = testing::unique_name("linger");
    BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 1}}, 30s));
    kafka::Producer producer(broker);
    const auto produce = [&](const char* value) {
        BOOST_REQUIRE(
            !producer.produce_and_wait({.topic = topic, .key = "k", .value = value}).error);
    };
    auto config = broker;
    config["group.id"] = testing::unique_name("linger-group");
    kafka::Consumer consumer(config, {topic});
    // Joined and fetching first, so the next record is fetched alone.
    produce("warm-up");
    BOOST_REQUIRE(testing::eventually([&] { return consumer.poll(200ms).has_value(); }, 60s, 0ms));

    produce("first");
    const auto started = std::chrono::steady_clock::now();
    auto batch = std::async(std::launch::async, [&] { return consumer.poll_batch(2, 60s, 30s); });
    // What is tested is a record arriving later than the batch's first: it is sent later.
    std::this_thread::sleep_for(1s);
    produce("second");
    const auto records = batch.get();
    BOOST_REQUIRE(records.size() == 2U);
    BOOST_TEST(records[0].value == "first");
    BOOST_TEST(records[1].value == "second");
    // Full before the linger ended: returned then, not at its end.
    BOOST_TEST((std::chrono::steady_clock::now() - started < 30s));

    // A lone record waits out the linger only, not the timeout.
    produce("alone");
    const auto alone_started = std::chrono::steady_clock::now();
    const auto alone = consumer.poll_batch(10, 60s, 300ms);
    const auto waited = std::chrono::steady_clock::now() - alone_started;
    BOOST_REQUIRE(alone.size() == 1U);
    BOOST_TEST(alone[0].value == "alone");
    BOOST_TEST((waited >= 300ms));
    BOOST_TEST((waited < 30s));
}
