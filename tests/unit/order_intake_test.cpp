// The gateway's use case with in-memory stand-ins for its two ports.
#include "app/order_intake.hpp"

#include <boost/test/unit_test.hpp>
#include <map>

#include "ordersource/contracts/envelope.hpp"

using namespace ordersource;
using namespace ordersource::gateway;

namespace {

class MemoryIdempotencyStore final : public IdempotencyStore {
  public:
    void claim(std::string key,
               IdempotencyRecord proposed,
               std::function<void(Claimed)> done) override {
        if (failure) {
            done(*failure);
            return;
        }
        done(records.try_emplace(std::move(key), std::move(proposed)).first->second);
    }
    std::optional<std::string> failure;
    std::map<std::string, IdempotencyRecord> records;
};

class RecordingPublisher final : public EventPublisher {
  public:
    void publish(std::string_view topic,
                 std::string_view key,
                 const contracts::Envelope& envelope,
                 Completion done) override {
        published.push_back({std::string(topic), std::string(key), envelope});
        done(failure);
    }
    struct Published {
        std::string topic;
        std::string key;
        contracts::Envelope envelope;
    };
    std::vector<Published> published;
    std::optional<std::string> failure;
};

class FixedClock final : public Clock {
  public:
    std::int64_t now_epoch_millis() const override { return 1'795'545'240'123; }
};

struct IntakeFixture {
    MemoryIdempotencyStore store;
    RecordingPublisher publisher;
    FixedClock clock;
    int next_id = 0;
    OrderIntake intake{store, publisher, clock, [this] {
                           return "00000000-0000-4000-8000-00000000000" + std::to_string(++next_id);
                       }};

    IntakeOutcome submit(const std::string& customer, std::optional<std::string> key) {
        OrderSubmission submission{.customer_id = customer,
                                   .currency = "USD",
                                   .items = {{"SKU-1", 2, core::Cents(4999)}},
                                   .total = core::Cents(9998)};
        std::optional<IntakeOutcome> outcome;
        intake.submit({submission, std::move(key), "corr-1"},
                      [&](const IntakeOutcome& o) { outcome = o; });
        BOOST_REQUIRE(outcome.has_value());
        return *outcome;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(new_order_is_published_keyed_by_order_id_and_accepted, IntakeFixture) {
    const auto outcome = submit("c-1", std::nullopt);
    BOOST_TEST((outcome.status == IntakeStatus::kAccepted));
    BOOST_REQUIRE(publisher.published.size() == 1U);
    const auto& sent = publisher.published[0];
    BOOST_TEST(sent.topic == "order-created");
    BOOST_TEST(sent.key == outcome.order_id);
    BOOST_TEST(sent.envelope.stream_id == "order-" + outcome.order_id);
    BOOST_TEST(sent.envelope.correlation_id == "corr-1");
    BOOST_TEST(sent.envelope.occurred_at == "2026-11-24T18:34:00.123Z");
    BOOST_TEST(!contracts::validate_payload("OrderCreated", 1, sent.envelope.payload_json));
}

BOOST_FIXTURE_TEST_CASE(same_key_same_body_replays_the_first_order_with_the_same_event_id,
                        IntakeFixture) {
    const auto first = submit("c-1", "key-1");
    const auto second = submit("c-1", "key-1");
    BOOST_TEST((second.status == IntakeStatus::kReplayed));
    BOOST_TEST(second.order_id == first.order_id);
    BOOST_REQUIRE(publisher.published.size() == 2U);
    // Re-published so a first attempt that was never acknowledged still completes, but with
    // the same event id, which every consumer de-duplicates.
    BOOST_TEST(publisher.published[1].envelope.event_id ==
               publisher.published[0].envelope.event_id);
}

BOOST_FIXTURE_TEST_CASE(same_key_different_body_is_a_conflict_and_publishes_nothing,
                        IntakeFixture) {
    submit("c-1", "key-1");
    const auto outcome = submit("c-2", "key-1");
    BOOST_TEST((outcome.status == IntakeStatus::kKeyConflict));
    BOOST_TEST(publisher.published.size() == 1U);
}

BOOST_FIXTURE_TEST_CASE(unacknowledged_publish_reports_unavailable, IntakeFixture) {
    publisher.failure = "Local: Message timed out";
    const auto outcome = submit("c-1", "key-9");
    BOOST_TEST((outcome.status == IntakeStatus::kUnavailable));
    BOOST_TEST(outcome.detail == "Local: Message timed out");
    // A retry with the same key publishes the same order again, now successfully.
    publisher.failure.reset();
    const auto retry = submit("c-1", "key-9");
    BOOST_TEST((retry.status == IntakeStatus::kReplayed));
    BOOST_TEST(retry.order_id == outcome.order_id);
}

BOOST_FIXTURE_TEST_CASE(distinct_orders_get_distinct_ids_and_event_ids, IntakeFixture) {
    const auto a = submit("c-1", std::nullopt);
    const auto b = submit("c-1", std::nullopt);
    BOOST_TEST(a.order_id != b.order_id);
    BOOST_TEST(publisher.published[0].envelope.event_id !=
               publisher.published[1].envelope.event_id);
}

BOOST_FIXTURE_TEST_CASE(a_key_that_cannot_be_recorded_accepts_nothing, IntakeFixture) {
    store.failure = "database unavailable";
    const auto outcome = submit("c-1", "key-1");
    BOOST_TEST((outcome.status == IntakeStatus::kKeyStoreUnavailable));
    BOOST_TEST(outcome.detail.find("database unavailable") != std::string::npos);
    BOOST_TEST(publisher.published.empty());
}
