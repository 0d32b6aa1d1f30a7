// A record with key and headers goes through the real broker and comes back intact,
// through the project's own producer and consumer adapters.
#include <boost/test/unit_test.hpp>
#include <set>

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
        const auto report = producer.produce_and_wait({.topic = topic, .key = "order-42", .value = "x"});
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
            BOOST_REQUIRE(!producer.produce_and_wait({.topic = topic, .key = "k", .value = value}).error);
        }
    }
    auto config = broker;
    config["group.id"] = testing::unique_name("commit-group");
    std::optional<kafka::Record> record;
    {
        kafka::Consumer first(config, {topic});
        BOOST_REQUIRE(testing::eventually([&] { return (record = first.poll(200ms)).has_value(); }, 60s, 0ms));
        BOOST_TEST(record->value == "first");
        BOOST_REQUIRE(!first.commit(*record));
    }
    kafka::Consumer second(config, {topic});
    BOOST_REQUIRE(testing::eventually([&] { return (record = second.poll(200ms)).has_value(); }, 60s, 0ms));
    BOOST_TEST(record->value == "second");
}
