// The relay against the real broker and PostgreSQL: every appended event arrives on the topic
// once, keyed by its order id, as an envelope with the facts in headers; a new relay with the
// same name resumes after the checkpoint instead of starting over.
#include <rapidjson/document.h>

#include <boost/test/unit_test.hpp>
#include <map>
#include <set>
#include <thread>

#include "ordersource/core/ids.hpp"
#include "ordersource/kafka/admin.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/relay/event_relay.hpp"
#include "ordersource/testing/eventstore_schema.hpp"

using namespace std::chrono_literals;
namespace es = ordersource::eventstore;
namespace kafka = ordersource::kafka;
namespace relay = ordersource::relay;
namespace testing = ordersource::testing;

namespace {

std::string order_id_of(const es::RecordedEvent& event) {
    rapidjson::Document payload;
    payload.Parse(event.payload_json);
    if (payload.HasParseError() || !payload.IsObject() || !payload.HasMember("orderId") ||
        !payload["orderId"].IsString()) {
        return event.stream_id.value();
    }
    return payload["orderId"].GetString();
}

struct RelayFixture : testing::EventStoreSchema {
    RelayFixture()
        : broker{{"bootstrap.servers", testing::kafka_bootstrap()}},
          topic(testing::unique_name("relay")) {
        BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 3}}, 30s));
    }

    std::vector<std::string> append_order(const std::string& order_id, int events) {
        std::vector<es::NewEvent> batch;
        for (int i = 0; i < events; ++i) {
            batch.push_back(
                {es::EventId{ordersource::core::new_uuid()},
                 "Step" + std::to_string(i),
                 2,
                 R"({"orderId": ")" + order_id + R"(", "step": )" + std::to_string(i) + "}",
                 {"corr-" + order_id, "cause-" + std::to_string(i)}});
        }
        const auto outcome = store().append(es::StreamId{"order-" + order_id}, es::Any{}, batch);
        BOOST_REQUIRE_MESSAGE(std::holds_alternative<es::AppendResult>(outcome),
                              es::describe(outcome));
        std::vector<std::string> ids;
        for (const auto& event : batch) {
            ids.push_back(event.event_id.value());
        }
        return ids;
    }

    // Relays until `expected` events went out (read_all may hold events back for a moment
    // while another write transaction in the cluster is open), then once more to show that
    // nothing else is pending.
    std::size_t relay_all(relay::EventRelay& relayer, std::size_t expected) {
        std::size_t total = 0;
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (total < expected && std::chrono::steady_clock::now() < deadline) {
            const auto step = relayer.relay_once();
            BOOST_REQUIRE_MESSAGE(!step.error, (step.error ? step.error->message : ""));
            if (step.relayed == 0) {
                std::this_thread::sleep_for(20ms);
            }
            total += step.relayed;
        }
        total += relayer.relay_once().relayed;
        return total;
    }

    relay::RelayOptions options() const {
        return {.name = "order-events-relay", .topic = topic, .batch_size = 4};
    }

    kafka::Properties broker;
    std::string topic;
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(every_event_arrives_with_headers_and_a_restart_resumes_from_the_checkpoint,
                        RelayFixture) {
    std::vector<std::string> expected_ids;
    for (const char* order : {"o-1", "o-2", "o-3"}) {
        for (auto& id : append_order(order, 3)) {
            expected_ids.push_back(std::move(id));
        }
    }
    kafka::Producer producer(broker);
    {
        relay::EventRelay relayer(store(), *postgres, producer, order_id_of, options());
        BOOST_TEST(relay_all(relayer, 9) == 9U);
        BOOST_TEST(postgres->load_checkpoint("order-events-relay").value() == relayer.checkpoint());
    }
    // A new relay (a restart) only sends what was appended since.
    for (auto& id : append_order("o-4", 2)) {
        expected_ids.push_back(std::move(id));
    }
    {
        relay::EventRelay restarted(store(), *postgres, producer, order_id_of, options());
        BOOST_TEST(relay_all(restarted, 2) == 2U);
    }

    auto consumer_config = broker;
    consumer_config["group.id"] = testing::unique_name("relay-group");
    kafka::Consumer consumer(consumer_config, {topic});
    std::vector<kafka::Record> records;
    BOOST_REQUIRE(testing::eventually(
        [&] {
            if (auto record = consumer.poll(200ms)) {
                records.push_back(std::move(*record));
            }
            return records.size() >= expected_ids.size();
        },
        60s, 0ms));
    // Nothing more: the restart did not re-send.
    BOOST_TEST(!consumer.poll(1s).has_value());

    std::set<std::string> received_ids;
    std::map<std::string, std::set<std::int32_t>> partitions_by_order;
    std::map<std::string, std::int64_t> last_version_by_stream;
    for (const auto& record : records) {
        const std::string event_id(record.header("event-id").value_or(""));
        BOOST_TEST_CONTEXT("event " << event_id) {
            received_ids.insert(event_id);
            BOOST_TEST(record.header("content-type").value_or("") == "application/json");
            BOOST_TEST(record.header("schema-version").value_or("") == "2");
            BOOST_TEST(record.header("event-type").value_or("").substr(0, 4) == "Step");
            BOOST_TEST(record.header("correlation-id").value_or("") == "corr-" + record.key);
            BOOST_TEST(record.header("causation-id").value_or("").substr(0, 6) == "cause-");
            BOOST_TEST(record.header("stream-id").value_or("") == "order-" + record.key);
            partitions_by_order[record.key].insert(record.partition);

            rapidjson::Document envelope;
            envelope.Parse(record.value);
            BOOST_REQUIRE(!envelope.HasParseError() && envelope.IsObject());
            BOOST_REQUIRE(envelope.HasMember("eventId") && envelope["eventId"].IsString());
            BOOST_TEST(envelope["eventId"].GetString() == event_id);
            BOOST_REQUIRE(envelope.HasMember("streamVersion") &&
                          envelope["streamVersion"].IsInt64());
            BOOST_TEST(std::to_string(envelope["streamVersion"].GetInt64()) ==
                       record.header("stream-version").value_or(""));
            BOOST_REQUIRE(envelope.HasMember("occurredAt") && envelope["occurredAt"].IsString());
            BOOST_TEST(std::string(envelope["occurredAt"].GetString()).back() == 'Z');
            BOOST_REQUIRE(envelope.HasMember("payload") && envelope["payload"].IsObject());
            BOOST_REQUIRE(envelope["payload"].HasMember("orderId") &&
                          envelope["payload"]["orderId"].IsString());
            BOOST_TEST(envelope["payload"]["orderId"].GetString() == record.key);
            // Within a partition, one stream's events arrive in version order.
            const std::string stream(record.header("stream-id").value_or(""));
            const auto version = envelope["streamVersion"].GetInt64();
            BOOST_TEST(version > last_version_by_stream[stream]);
            last_version_by_stream[stream] = version;
        }
    }
    BOOST_TEST(records.size() == expected_ids.size());
    BOOST_TEST((received_ids == std::set<std::string>(expected_ids.begin(), expected_ids.end())));
    for (const auto& [order, partitions] : partitions_by_order) {
        BOOST_TEST(partitions.size() == 1U, "order " << order << " spans partitions");
    }
}

BOOST_FIXTURE_TEST_CASE(an_undeliverable_batch_leaves_the_checkpoint_where_it_was, RelayFixture) {
    append_order("o-9", 2);
    // Another test's open write transaction can hold read_all back a moment.
    BOOST_REQUIRE(
        testing::eventually([&] { return !store().read_all(es::kStartOfAll, 1).empty(); }, 10s));
    // A topic that does not exist (the broker does not create topics): delivery fails.
    kafka::Properties fast = broker;
    fast["message.timeout.ms"] = "3000";
    kafka::Producer producer(fast);
    auto missing = options();
    missing.topic = testing::unique_name("missing-topic");
    missing.delivery_timeout = 20s;
    relay::EventRelay relayer(store(), *postgres, producer, order_id_of, missing);
    const auto step = relayer.relay_once();
    BOOST_TEST(step.relayed == 0U);
    BOOST_TEST(step.error.has_value());
    BOOST_TEST(!postgres->load_checkpoint("order-events-relay").has_value());
    BOOST_TEST(relayer.checkpoint() == es::kStartOfAll);
}

BOOST_FIXTURE_TEST_CASE(a_running_relay_sends_events_appended_while_it_runs_and_stops_on_request,
                        RelayFixture) {
    kafka::Producer producer(broker);
    relay::EventRelay relayer(store(), *postgres, producer, order_id_of,
                              {.name = "running", .topic = topic, .idle_wait = 20ms});
    std::jthread running([&](std::stop_token stop) { relayer.run(stop); });
    std::set<std::string> expected;
    for (const char* order : {"r-1", "r-2"}) {
        for (auto& id : append_order(order, 2)) {
            expected.insert(std::move(id));
        }
    }
    auto consumer_config = broker;
    consumer_config["group.id"] = testing::unique_name("relay-run-group");
    kafka::Consumer consumer(consumer_config, {topic});
    std::set<std::string> received;
    BOOST_TEST(testing::eventually(
        [&] {
            if (auto record = consumer.poll(200ms)) {
                received.insert(std::string(record->header("event-id").value_or("")));
            }
            return received.size() >= expected.size();
        },
        60s, 0ms));
    BOOST_TEST((received == expected));
    running.request_stop();
    running.join();
    const auto saved = postgres->load_checkpoint("running");
    BOOST_REQUIRE(saved.has_value());
    BOOST_TEST(store().read_all(*saved, 10).empty());
}
