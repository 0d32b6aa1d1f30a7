#pragma once
// The event store contract as test cases, compiled once per implementation: the including
// file defines `ConformanceFixture` (a fresh, empty store per test case, reachable through
// `EventStore& store()`) and then includes this header. MemoryEventStore runs them in
// tests/unit/eventstore_conformance_test.cpp, PostgresEventStore in
// tests/integration/eventstore_conformance_pgtest.cpp.

#include <rapidjson/document.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ordersource/core/ids.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"

namespace ordersource::testing::conformance {

namespace es = ordersource::eventstore;

inline es::StreamId new_stream(const std::string& prefix = "order") {
    return es::StreamId{prefix + "-" + core::new_uuid()};
}

inline es::NewEvent make_event(std::string type = "OrderAccepted",
                               std::string payload = R"({"orderId": "o-1", "amountCents": 1250})") {
    return es::NewEvent{es::EventId{core::new_uuid()}, std::move(type), 1, std::move(payload),
                        es::EventMetadata{"corr-1", "cause-1"}};
}

inline std::vector<es::NewEvent> make_events(std::size_t count) {
    std::vector<es::NewEvent> events;
    for (std::size_t i = 0; i < count; ++i) {
        events.push_back(make_event("Counted", R"({"i": )" + std::to_string(i) + "}"));
    }
    return events;
}

// jsonb normalises whitespace and key order: compare documents, not text.
inline bool same_json(const std::string& left, const std::string& right) {
    rapidjson::Document a;
    rapidjson::Document b;
    a.Parse(left);
    b.Parse(right);
    return !a.HasParseError() && !b.HasParseError() && a == b;
}

inline es::AppendResult require_success(const es::AppendOutcome& outcome) {
    BOOST_TEST_INFO("outcome: " << es::describe(outcome));
    BOOST_REQUIRE(std::holds_alternative<es::AppendResult>(outcome));
    return std::get<es::AppendResult>(outcome);
}

inline es::ConcurrencyConflict require_conflict(const es::AppendOutcome& outcome) {
    BOOST_TEST_INFO("outcome: " << es::describe(outcome));
    BOOST_REQUIRE(std::holds_alternative<es::ConcurrencyConflict>(outcome));
    return std::get<es::ConcurrencyConflict>(outcome);
}

inline es::InvalidInput require_invalid(const es::AppendOutcome& outcome) {
    BOOST_TEST_INFO("outcome: " << es::describe(outcome));
    BOOST_REQUIRE(std::holds_alternative<es::InvalidInput>(outcome));
    return std::get<es::InvalidInput>(outcome);
}

inline std::vector<std::string> ids_of(const std::vector<es::RecordedEvent>& events) {
    std::vector<std::string> ids;
    for (const auto& event : events) {
        ids.push_back(event.event_id.value());
    }
    return ids;
}

inline std::vector<std::string> ids_of(const std::vector<es::NewEvent>& events) {
    std::vector<std::string> ids;
    for (const auto& event : events) {
        ids.push_back(event.event_id.value());
    }
    return ids;
}

// Two streams (one named with quotes, braces, a comma and a backslash) of 3 and 2 events, and
// a third that has none.
struct TwoStreams {
    es::StreamId one;
    es::StreamId quoted;
    es::StreamId none;
    std::vector<es::NewEvent> first;   // of `one`
    std::vector<es::NewEvent> second;  // of `quoted`
};

inline TwoStreams append_two_streams(es::EventStore& store) {
    TwoStreams streams{new_stream(), es::StreamId{"account-\"quoted\", {braced} back\\slash"},
                       new_stream(), make_events(3), make_events(2)};
    require_success(store.append(streams.one, es::NoStream{}, streams.first));
    require_success(store.append(streams.quoted, es::NoStream{}, streams.second));
    return streams;
}

// Every event of the store, paging through read_all.
inline std::vector<es::RecordedEvent> read_everything(const es::EventStore& store,
                                                      std::size_t page = 1000) {
    std::vector<es::RecordedEvent> all;
    es::CommitPosition after = es::kStartOfAll;
    for (;;) {
        auto batch = store.read_all(after, page);
        if (batch.empty()) {
            return all;
        }
        after = batch.back().commit_position();
        all.insert(all.end(), batch.begin(), batch.end());
    }
}

// read_all only returns transactions older than every write transaction still open in the
// whole PostgreSQL cluster, so another test's open transaction can hold events back for a
// moment: wait until `count` events are readable (or 10 s passed), then return them all.
inline std::vector<es::RecordedEvent> read_everything_settled(const es::EventStore& store,
                                                              std::size_t count,
                                                              std::size_t page = 1000) {
    std::vector<es::RecordedEvent> all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((all = read_everything(store, page)).size() < count &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return all;
}

}  // namespace ordersource::testing::conformance

BOOST_FIXTURE_TEST_SUITE(event_store_conformance, ConformanceFixture)

namespace conf = ordersource::testing::conformance;
namespace es = ordersource::eventstore;

BOOST_AUTO_TEST_CASE(no_stream_starts_a_new_stream_at_version_one) {
    const auto stream = conf::new_stream();
    const auto result =
        conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(3)));
    BOOST_TEST(result.first_version == es::StreamVersion{1});
    BOOST_TEST(result.last_version == es::StreamVersion{3});
    BOOST_TEST(result.first_position < result.last_position);
    BOOST_TEST(store().read_stream(stream).size() == 3U);
}

BOOST_AUTO_TEST_CASE(no_stream_on_an_existing_stream_is_a_conflict) {
    const auto stream = conf::new_stream();
    conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(2)));
    const auto conflict =
        conf::require_conflict(store().append(stream, es::NoStream{}, conf::make_events(1)));
    BOOST_TEST(conflict.stream == stream);
    BOOST_TEST(conflict.actual == es::StreamVersion{2});
    BOOST_TEST(std::holds_alternative<es::NoStream>(conflict.expected));
}

BOOST_AUTO_TEST_CASE(exact_version_appends_after_that_version) {
    const auto stream = conf::new_stream();
    conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(2)));
    const auto result = conf::require_success(
        store().append(stream, es::Exact{es::StreamVersion{2}}, conf::make_events(2)));
    BOOST_TEST(result.first_version == es::StreamVersion{3});
    BOOST_TEST(result.last_version == es::StreamVersion{4});
}

BOOST_AUTO_TEST_CASE(exact_zero_behaves_like_no_stream) {
    const auto stream = conf::new_stream();
    conf::require_success(
        store().append(stream, es::Exact{es::StreamVersion{0}}, conf::make_events(1)));
    const auto conflict = conf::require_conflict(
        store().append(stream, es::Exact{es::StreamVersion{0}}, conf::make_events(1)));
    BOOST_TEST(conflict.actual == es::StreamVersion{1});
}

BOOST_AUTO_TEST_CASE(stale_exact_version_is_a_conflict_with_the_actual_version_and_stores_nothing) {
    const auto stream = conf::new_stream();
    conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(3)));
    const auto stale = conf::make_events(2);
    const auto conflict =
        conf::require_conflict(store().append(stream, es::Exact{es::StreamVersion{1}}, stale));
    BOOST_TEST(conflict.actual == es::StreamVersion{3});
    BOOST_TEST((conflict.expected == es::ExpectedVersion{es::Exact{es::StreamVersion{1}}}));
    BOOST_TEST(store().read_stream(stream).size() == 3U);
    // Ahead of the stream is stale too.
    const auto ahead =
        conf::require_conflict(store().append(stream, es::Exact{es::StreamVersion{7}}, stale));
    BOOST_TEST(ahead.actual == es::StreamVersion{3});
    BOOST_TEST(store().read_stream(stream).size() == 3U);
    BOOST_TEST(conf::read_everything_settled(store(), 3).size() == 3U);
}

BOOST_AUTO_TEST_CASE(any_appends_whatever_the_version) {
    const auto stream = conf::new_stream();
    const auto first =
        conf::require_success(store().append(stream, es::Any{}, conf::make_events(1)));
    BOOST_TEST(first.first_version == es::StreamVersion{1});
    const auto second =
        conf::require_success(store().append(stream, es::Any{}, conf::make_events(2)));
    BOOST_TEST(second.first_version == es::StreamVersion{2});
    BOOST_TEST(second.last_version == es::StreamVersion{3});
}

BOOST_AUTO_TEST_CASE(re_appending_a_stored_batch_returns_the_original_result) {
    const auto stream = conf::new_stream();
    conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(1)));
    const auto batch = conf::make_events(3);
    const auto original =
        conf::require_success(store().append(stream, es::Exact{es::StreamVersion{1}}, batch));
    conf::require_success(store().append(stream, es::Any{}, conf::make_events(1)));

    // The same expected version (now stale), Any, NoStream: all a redelivery, all the same.
    for (const es::ExpectedVersion& expected :
         {es::ExpectedVersion{es::Exact{es::StreamVersion{1}}}, es::ExpectedVersion{es::Any{}},
          es::ExpectedVersion{es::NoStream{}}}) {
        const auto again = conf::require_success(store().append(stream, expected, batch));
        BOOST_TEST((again == original));
    }
    // Ids are UUIDs: the same id in upper case is the same event.
    auto upper = batch;
    for (auto& event : upper) {
        std::string id = event.event_id.value();
        std::transform(id.begin(), id.end(), id.begin(), [](char c) {
            return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        });
        event.event_id = es::EventId{id};
    }
    BOOST_TEST((conf::require_success(store().append(stream, es::Any{}, upper)) == original));
    BOOST_TEST(store().read_stream(stream).size() == 5U);
}

BOOST_AUTO_TEST_CASE(a_partly_stored_batch_is_invalid_and_stores_nothing) {
    const auto stream = conf::new_stream();
    auto batch = conf::make_events(2);
    conf::require_success(store().append(stream, es::NoStream{}, batch));
    batch.push_back(conf::make_event());
    const auto invalid = conf::require_invalid(store().append(stream, es::Any{}, batch));
    BOOST_TEST(invalid.reason.find("already stored") != std::string::npos);

    // Stored ones in another order, or under another stream, are not a repeat either.
    const std::vector<es::NewEvent> reversed{batch[1], batch[0]};
    conf::require_invalid(store().append(stream, es::Any{}, reversed));
    const auto other = conf::new_stream();
    conf::require_invalid(store().append(other, es::Any{}, {batch[0], batch[1]}));
    BOOST_TEST(store().read_stream(stream).size() == 2U);
    BOOST_TEST(store().read_stream(other).empty());
    BOOST_TEST(conf::read_everything_settled(store(), 2).size() == 2U);
}

BOOST_AUTO_TEST_CASE(append_many_answers_each_request_as_append_would_and_alone) {
    const auto existing = conf::new_stream();
    conf::require_success(store().append(existing, es::NoStream{}, conf::make_events(1)));
    const auto stored = conf::make_events(2);
    const auto repeated = conf::new_stream();
    const auto original = conf::require_success(store().append(repeated, es::NoStream{}, stored));

    const auto fresh = conf::new_stream();
    const auto stale = conf::new_stream();
    conf::require_success(store().append(stale, es::NoStream{}, conf::make_events(1)));
    const auto outcomes = store().append_many({
        {fresh, es::NoStream{}, conf::make_events(2)},
        {existing, es::Exact{es::StreamVersion{1}}, conf::make_events(1)},
        {stale, es::Exact{es::StreamVersion{5}}, conf::make_events(1)},
        {es::StreamId{""}, es::Any{}, conf::make_events(1)},
        {repeated, es::Exact{es::StreamVersion{0}}, stored},
        {conf::new_stream(), es::Any{}, {}},
    });
    BOOST_REQUIRE_EQUAL(outcomes.size(), 6U);
    const auto first = conf::require_success(outcomes[0]);
    BOOST_TEST(first.first_version == es::StreamVersion{1});
    BOOST_TEST(first.last_version == es::StreamVersion{2});
    BOOST_TEST(conf::require_success(outcomes[1]).last_version == es::StreamVersion{2});
    // The stale one conflicts alone: its neighbours are stored.
    BOOST_TEST(conf::require_conflict(outcomes[2]).actual == es::StreamVersion{1});
    conf::require_invalid(outcomes[3]);
    BOOST_TEST((conf::require_success(outcomes[4]) == original));
    conf::require_invalid(outcomes[5]);
    BOOST_TEST(store().read_stream(fresh).size() == 2U);
    BOOST_TEST(store().read_stream(existing).size() == 2U);
    BOOST_TEST(store().read_stream(stale).size() == 1U);
    BOOST_TEST(store().read_stream(repeated).size() == 2U);
}

BOOST_AUTO_TEST_CASE(append_many_takes_a_stream_named_twice_in_request_order) {
    const auto stream = conf::new_stream();
    const auto first = conf::make_events(1);
    const auto second = conf::make_events(2);
    const auto outcomes =
        store().append_many({{stream, es::NoStream{}, first},
                             {conf::new_stream(), es::Any{}, conf::make_events(1)},
                             {stream, es::Exact{es::StreamVersion{1}}, second}});
    BOOST_REQUIRE_EQUAL(outcomes.size(), 3U);
    BOOST_TEST(conf::require_success(outcomes[0]).last_version == es::StreamVersion{1});
    BOOST_TEST(conf::require_success(outcomes[2]).last_version == es::StreamVersion{3});
    auto expected = conf::ids_of(first);
    for (const auto& id : conf::ids_of(second)) expected.push_back(id);
    BOOST_TEST(conf::ids_of(store().read_stream(stream)) == expected);
}

BOOST_AUTO_TEST_CASE(append_many_of_many_small_appends_stores_them_all) {
    std::vector<es::AppendRequest> requests;
    for (int i = 0; i < 300; ++i) {
        requests.push_back({conf::new_stream("many"), es::NoStream{}, conf::make_events(2)});
    }
    const auto outcomes = store().append_many(requests);
    BOOST_REQUIRE_EQUAL(outcomes.size(), requests.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        BOOST_TEST(conf::require_success(outcomes[i]).last_version == es::StreamVersion{2});
        BOOST_TEST(conf::ids_of(store().read_stream(requests[i].stream)) ==
                   conf::ids_of(requests[i].events));
    }
    BOOST_TEST(conf::read_everything_settled(store(), 600).size() == 600U);
}

BOOST_AUTO_TEST_CASE(read_streams_gives_each_requested_stream_in_version_order) {
    const auto [one, quoted, none, first, second] = conf::append_two_streams(store());
    const auto streams = store().read_streams({quoted, none, one, quoted});
    BOOST_REQUIRE_EQUAL(streams.size(), 4U);
    BOOST_TEST(conf::ids_of(streams[0]) == conf::ids_of(second));
    BOOST_TEST(streams[1].empty());
    BOOST_TEST(conf::ids_of(streams[2]) == conf::ids_of(first));
    BOOST_TEST(conf::ids_of(streams[3]) == conf::ids_of(second));
    BOOST_TEST(streams[0].front().stream_id == quoted);
    BOOST_TEST(streams[2].back().stream_version == es::StreamVersion{3});
    BOOST_TEST(store().read_streams({}).empty());
}

BOOST_AUTO_TEST_CASE(read_streams_from_starts_each_stream_at_its_own_version) {
    const auto [one, quoted, none, first, second] = conf::append_two_streams(store());
    const auto streams = store().read_streams_from(
        {one, quoted, none, one},
        {es::StreamVersion{2}, es::StreamVersion{1}, es::StreamVersion{1}, es::StreamVersion{4}});
    BOOST_REQUIRE_EQUAL(streams.size(), 4U);
    BOOST_TEST(conf::ids_of(streams[0]) ==
               (std::vector<std::string>{first[1].event_id.value(), first[2].event_id.value()}));
    BOOST_TEST(streams[0].front().stream_version == es::StreamVersion{2});
    BOOST_TEST(conf::ids_of(streams[1]) == conf::ids_of(second));
    BOOST_TEST(streams[2].empty());
    BOOST_TEST(streams[3].empty());  // past the stream's last version
    BOOST_TEST(store().read_streams_from({}, {}).empty());
    BOOST_CHECK_THROW(store().read_streams_from({one}, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(stream_snapshots_keep_the_highest_version_saved) {
    auto* snapshots = dynamic_cast<es::StreamSnapshotStore*>(&store());
    BOOST_REQUIRE(snapshots != nullptr);
    const auto account = conf::new_stream("account");
    const es::StreamId quoted{"account-\"quoted\", {braced} back\\slash"};
    const auto never = conf::new_stream("account");
    BOOST_TEST(!snapshots->load_stream_snapshots({never}).front().has_value());
    // Quotes, backslashes, braces, commas, a newline and non-ASCII text survive as given.
    const es::StreamSnapshot odd{es::StreamVersion{2}, 1,
                                 "{\"o\":[\"a\\\\b\",\"{x, y}\"]}\n\u00e9"};
    snapshots->save_stream_snapshots(
        {{account, {es::StreamVersion{3}, 1, "three"}}, {quoted, odd}});
    auto found = snapshots->load_stream_snapshots({quoted, never, account});
    BOOST_REQUIRE_EQUAL(found.size(), 3U);
    BOOST_TEST((found[0].value() == odd));
    BOOST_TEST(!found[1].has_value());
    BOOST_TEST(found[2].value().state == "three");
    // An older save (a slower writer) does not move it back; a newer one replaces it, and a
    // stream named twice in one save keeps its higher version.
    snapshots->save_stream_snapshots({{account, {es::StreamVersion{2}, 1, "two"}}});
    BOOST_TEST(snapshots->load_stream_snapshots({account}).front().value().state == "three");
    snapshots->save_stream_snapshots(
        {{account, {es::StreamVersion{7}, 2, std::string(100'000, 'x')}},
         {account, {es::StreamVersion{6}, 1, "six"}}});
    const auto latest = snapshots->load_stream_snapshots({account}).front().value();
    BOOST_TEST(latest.version == es::StreamVersion{7});
    BOOST_TEST(latest.format == 2);
    BOOST_TEST(latest.state.size() == 100'000U);
    BOOST_TEST(snapshots->load_stream_snapshots({}).empty());
}

BOOST_AUTO_TEST_CASE(recorded_events_carry_what_was_appended) {
    const auto stream = conf::new_stream();
    const auto before = std::chrono::system_clock::now() - std::chrono::seconds(60);
    es::NewEvent event = conf::make_event(
        "PaymentRequested", R"({ "orderId" : "o-9", "amountCents": 4200, "lines": [1, 2] })");
    event.schema_version = 3;
    event.metadata = es::EventMetadata{"correlation-9", "cause-9"};
    const auto result = conf::require_success(store().append(stream, es::NoStream{}, {event}));
    const auto events = store().read_stream(stream);
    BOOST_REQUIRE_EQUAL(events.size(), 1U);
    const es::RecordedEvent& recorded = events.front();
    BOOST_TEST(recorded.event_id == event.event_id);
    BOOST_TEST(recorded.type == "PaymentRequested");
    BOOST_TEST(recorded.schema_version == 3);
    BOOST_TEST(conf::same_json(recorded.payload_json, event.payload_json));
    BOOST_TEST(recorded.metadata.correlation_id == "correlation-9");
    BOOST_TEST(recorded.metadata.causation_id == "cause-9");
    BOOST_TEST(recorded.stream_id == stream);
    BOOST_TEST(recorded.stream_version == es::StreamVersion{1});
    BOOST_TEST(recorded.global_position == result.first_position);
    BOOST_TEST((recorded.recorded_at > before));
    BOOST_TEST(
        (recorded.recorded_at < std::chrono::system_clock::now() + std::chrono::seconds(60)));
}

BOOST_AUTO_TEST_CASE(payloads_with_escapes_whitespace_and_non_ascii_text_round_trip) {
    // Backslashes, tabs and newlines are what a COPY row must escape; the rest must survive.
    const auto stream = conf::new_stream();
    std::vector<es::NewEvent> events{
        conf::make_event("Noted",
                         "{\n\t\"note\": \"tab\\there, back\\\\slash, \\\"quoted\\\"\",\r\n"
                         "\t\"text\": \"Gr\u00fc\u00dfe \u65e5\u672c \\u00e9\"}"),
        conf::make_event("Noted", R"({"path": "C:\\temp\\new", "empty": ""})")};
    events[1].metadata = es::EventMetadata{"corr\\with\\slash", "cause \"quoted\""};
    conf::require_success(store().append(stream, es::NoStream{}, events));
    const auto stored = store().read_stream(stream);
    BOOST_REQUIRE_EQUAL(stored.size(), 2U);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        BOOST_TEST_INFO("event " << i << ": " << stored[i].payload_json);
        BOOST_TEST(conf::same_json(stored[i].payload_json, events[i].payload_json));
    }
    BOOST_TEST(stored[1].metadata.correlation_id == "corr\\with\\slash");
    BOOST_TEST(stored[1].metadata.causation_id == "cause \"quoted\"");
}

BOOST_AUTO_TEST_CASE(read_stream_starts_at_the_requested_version_and_honours_max_count) {
    const auto stream = conf::new_stream();
    const auto batch = conf::make_events(5);
    conf::require_success(store().append(stream, es::NoStream{}, batch));
    conf::require_success(store().append(conf::new_stream(), es::NoStream{}, conf::make_events(2)));
    const auto tail = store().read_stream(stream, es::StreamVersion{3});
    BOOST_REQUIRE_EQUAL(tail.size(), 3U);
    BOOST_TEST(tail.front().stream_version == es::StreamVersion{3});
    BOOST_TEST(tail.back().stream_version == es::StreamVersion{5});
    BOOST_TEST(tail.front().event_id == batch[2].event_id);
    const auto two = store().read_stream(stream, es::StreamVersion{2}, 2);
    BOOST_REQUIRE_EQUAL(two.size(), 2U);
    BOOST_TEST(two.back().stream_version == es::StreamVersion{3});
    BOOST_TEST(store().read_stream(stream, es::StreamVersion{6}).empty());
    BOOST_TEST(store().read_stream(conf::new_stream()).empty());
}

BOOST_AUTO_TEST_CASE(load_folds_the_stream_and_returns_its_version) {
    const auto stream = conf::new_stream();
    conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(4)));
    const auto evolve = [](std::vector<std::string> seen, const es::RecordedEvent& event) {
        seen.push_back(event.payload_json);
        return seen;
    };
    const auto loaded = es::load(store(), stream, std::vector<std::string>{}, evolve);
    BOOST_TEST(loaded.version == es::StreamVersion{4});
    BOOST_REQUIRE_EQUAL(loaded.state.size(), 4U);
    BOOST_TEST(conf::same_json(loaded.state[3], R"({"i": 3})"));

    const auto empty = es::load(store(), conf::new_stream(), 0,
                                [](int n, const es::RecordedEvent&) { return n + 1; });
    BOOST_TEST(empty.version == es::StreamVersion{0});
    BOOST_TEST(empty.state == 0);
    // The loaded version is what an Exact append expects.
    conf::require_success(store().append(stream, es::Exact{loaded.version}, conf::make_events(1)));
}

BOOST_AUTO_TEST_CASE(invalid_input_is_rejected_and_nothing_is_stored) {
    const auto stream = conf::new_stream();
    const auto with = [](auto change) {
        auto event = conf::make_event();
        change(event);
        return std::vector<es::NewEvent>{event};
    };
    const std::vector<std::pair<std::string, std::vector<es::NewEvent>>> cases{
        {"not JSON", with([](es::NewEvent& e) { e.payload_json = R"({"orderId": )"; })},
        {"trailing garbage", with([](es::NewEvent& e) { e.payload_json = R"({} x)"; })},
        {"not an object", with([](es::NewEvent& e) { e.payload_json = "[1, 2]"; })},
        {"empty payload", with([](es::NewEvent& e) { e.payload_json = ""; })},
        {"NUL in a string", with([](es::NewEvent& e) { e.payload_json = R"({"a": "x\u0000y"})"; })},
        {"bad UTF-8", with([](es::NewEvent& e) { e.payload_json = "{\"a\": \"\xff\"}"; })},
        {"not a UUID", with([](es::NewEvent& e) { e.event_id = es::EventId{"order-1"}; })},
        {"empty type", with([](es::NewEvent& e) { e.type.clear(); })},
        {"schema version 0", with([](es::NewEvent& e) { e.schema_version = 0; })},
        {"control character in metadata",
         with([](es::NewEvent& e) { e.metadata.causation_id = "a\nb"; })},
        {"empty batch", {}},
    };
    for (const auto& [name, events] : cases) {
        BOOST_TEST_CONTEXT(name) {
            const auto invalid = conf::require_invalid(store().append(stream, es::Any{}, events));
            BOOST_TEST(!invalid.reason.empty());
        }
    }
    const auto good = conf::make_event();
    conf::require_invalid(store().append(stream, es::Any{}, {conf::make_event(), good, good}));
    const auto empty_stream =
        conf::require_invalid(store().append(es::StreamId{""}, es::Any{}, conf::make_events(1)));
    BOOST_TEST(empty_stream.reason.find("stream id") != std::string::npos);
    conf::require_invalid(store().append(es::StreamId{"a\tb"}, es::Any{}, conf::make_events(1)));
    // A bad event anywhere in the batch rejects the whole batch.
    auto mixed = conf::make_events(3);
    mixed[2].payload_json = "{";
    conf::require_invalid(store().append(stream, es::Any{}, mixed));
    BOOST_TEST(store().read_stream(stream).empty());
    // Something valid afterwards is the only event of the store.
    conf::require_success(store().append(stream, es::Any{}, conf::make_events(1)));
    BOOST_TEST(conf::read_everything_settled(store(), 1).size() == 1U);
}

BOOST_AUTO_TEST_CASE(read_all_pages_through_every_event_once_in_commit_order) {
    std::vector<std::string> appended;
    for (int i = 0; i < 5; ++i) {
        const auto batch = conf::make_events(static_cast<std::size_t>(i % 3) + 1);
        conf::require_success(store().append(conf::new_stream(), es::NoStream{}, batch));
        for (const auto& id : conf::ids_of(batch)) {
            appended.push_back(id);
        }
    }
    conf::read_everything_settled(store(), appended.size());
    const auto all = conf::read_everything(store(), 3);
    BOOST_TEST(conf::ids_of(all) == appended, boost::test_tools::per_element());
    for (std::size_t i = 1; i < all.size(); ++i) {
        BOOST_TEST((all[i - 1].commit_position() < all[i].commit_position()));
    }
    BOOST_TEST(store().read_all(all.back().commit_position(), 10).empty());
    BOOST_TEST(store().read_all(es::kStartOfAll, 0).empty());
}

BOOST_AUTO_TEST_CASE(concurrent_appenders_expecting_the_same_version_have_exactly_one_winner) {
    constexpr int kWriters = 6;
    const auto stream = conf::new_stream("account");
    conf::require_success(store().append(stream, es::NoStream{}, conf::make_events(1)));
    std::vector<es::AppendOutcome> outcomes(kWriters);
    std::latch start(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            const auto events = conf::make_events(2);
            start.arrive_and_wait();
            outcomes[static_cast<std::size_t>(w)] =
                store().append(stream, es::Exact{es::StreamVersion{1}}, events);
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    int winners = 0;
    for (const auto& outcome : outcomes) {
        BOOST_TEST_INFO("outcome: " << es::describe(outcome));
        if (std::holds_alternative<es::AppendResult>(outcome)) {
            ++winners;
            BOOST_TEST(std::get<es::AppendResult>(outcome).first_version == es::StreamVersion{2});
        } else {
            BOOST_REQUIRE(std::holds_alternative<es::ConcurrencyConflict>(outcome));
            BOOST_TEST(std::get<es::ConcurrencyConflict>(outcome).actual == es::StreamVersion{3});
        }
    }
    BOOST_TEST(winners == 1);
    BOOST_TEST(store().read_stream(stream).size() == 3U);
}

BOOST_AUTO_TEST_CASE(concurrent_retrying_appenders_build_a_gap_free_stream) {
    constexpr int kWriters = 4;
    constexpr int kEventsEach = 8;
    const auto stream = conf::new_stream("account");
    std::vector<std::vector<std::string>> written(kWriters);
    std::vector<int> conflicts(kWriters, 0);
    std::latch start(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            const auto index = static_cast<std::size_t>(w);
            start.arrive_and_wait();
            for (int i = 0; i < kEventsEach; ++i) {
                const auto event =
                    conf::make_event("Counted", R"({"writer": )" + std::to_string(w) + "}");
                // The decider loop: load, decide, append with the loaded version, retry.
                for (;;) {
                    const auto loaded = es::load(
                        store(), stream, 0, [](int n, const es::RecordedEvent&) { return n + 1; });
                    const auto outcome = store().append(stream, es::Exact{loaded.version}, {event});
                    if (std::holds_alternative<es::AppendResult>(outcome)) {
                        written[index].push_back(event.event_id.value());
                        break;
                    }
                    if (!std::holds_alternative<es::ConcurrencyConflict>(outcome)) {
                        return;  // reported below: this writer wrote too few events
                    }
                    ++conflicts[index];
                }
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    const auto events = store().read_stream(stream);
    BOOST_REQUIRE_EQUAL(events.size(), static_cast<std::size_t>(kWriters * kEventsEach));
    for (std::size_t i = 0; i < events.size(); ++i) {
        BOOST_TEST(events[i].stream_version == es::StreamVersion{static_cast<std::int64_t>(i) + 1});
    }
    std::set<std::string> expected_ids;
    for (const auto& ids : written) {
        BOOST_TEST(ids.size() == static_cast<std::size_t>(kEventsEach));
        expected_ids.insert(ids.begin(), ids.end());
    }
    const auto stored_ids = conf::ids_of(events);
    BOOST_TEST((std::set<std::string>(stored_ids.begin(), stored_ids.end()) == expected_ids));
}

BOOST_AUTO_TEST_CASE(concurrent_any_appenders_all_succeed_without_gaps) {
    constexpr int kWriters = 4;
    constexpr int kBatches = 5;
    const auto stream = conf::new_stream("account");
    std::vector<int> failures(kWriters, 0);
    std::latch start(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            start.arrive_and_wait();
            for (int i = 0; i < kBatches; ++i) {
                if (!std::holds_alternative<es::AppendResult>(
                        store().append(stream, es::Any{}, conf::make_events(2)))) {
                    ++failures[static_cast<std::size_t>(w)];
                }
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    BOOST_TEST(failures == std::vector<int>(kWriters, 0), boost::test_tools::per_element());
    const auto events = store().read_stream(stream);
    BOOST_REQUIRE_EQUAL(events.size(), static_cast<std::size_t>(kWriters * kBatches * 2));
    for (std::size_t i = 0; i < events.size(); ++i) {
        BOOST_TEST(events[i].stream_version == es::StreamVersion{static_cast<std::int64_t>(i) + 1});
    }
}

BOOST_AUTO_TEST_CASE(a_redelivered_batch_racing_itself_is_stored_once_and_all_get_the_same_result) {
    constexpr int kWriters = 5;
    const auto stream = conf::new_stream();
    const auto batch = conf::make_events(3);
    std::vector<es::AppendOutcome> outcomes(kWriters);
    std::latch start(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            start.arrive_and_wait();
            outcomes[static_cast<std::size_t>(w)] = store().append(stream, es::NoStream{}, batch);
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    const auto first = conf::require_success(outcomes.front());
    for (const auto& outcome : outcomes) {
        BOOST_TEST((conf::require_success(outcome) == first));
    }
    BOOST_TEST(conf::ids_of(store().read_stream(stream)) == conf::ids_of(batch),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
