// The batched command cycle (eventstore::decide_and_append_batch) with a toy aggregate over the
// in-memory store: the same answers and event ids as one decide_and_append per command, one
// read and one append_many per batch, cached streams not re-read, and a stale cache never
// decides anything it should not.
#include <boost/test/unit_test.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ordersource/eventstore/decide_and_append.hpp"
#include "ordersource/eventstore/memory_event_store.hpp"

using namespace ordersource;
namespace es = ordersource::eventstore;

namespace {

// A tally: opened once, then amounts are added until it is closed.
struct Tally {
    bool open = false;
    bool closed = false;
    int total = 0;
};
struct Open {};
struct Add {
    int amount = 0;
};
struct Close {};
using Command = std::variant<Open, Add, Close>;
struct Opened {};
struct Added {
    int amount = 0;
};
struct Closed {};
using Event = std::variant<Opened, Added, Closed>;
struct Rejection {
    std::string reason;
};
using Decision = std::variant<std::vector<Event>, Rejection>;

Decision decide(const Command& command, const Tally& tally) {
    if (std::holds_alternative<Open>(command)) {
        if (tally.open || tally.closed) return Rejection{"already open"};
        return std::vector<Event>{Opened{}};
    }
    if (!tally.open) return Rejection{"not open"};
    if (const auto* add = std::get_if<Add>(&command)) {
        if (add->amount == 0) return std::vector<Event>{};  // nothing to record
        return std::vector<Event>{Added{add->amount}};
    }
    return std::vector<Event>{Added{0}, Closed{}};
}

Tally evolve(Tally tally, const Event& event) {
    if (std::holds_alternative<Opened>(event)) tally.open = true;
    if (const auto* added = std::get_if<Added>(&event)) tally.total += added->amount;
    if (std::holds_alternative<Closed>(event)) {
        tally.open = false;
        tally.closed = true;
    }
    return tally;
}

es::EncodedEvent encode(const Event& event) {
    if (std::holds_alternative<Opened>(event)) return {"Opened", "{}"};
    if (const auto* added = std::get_if<Added>(&event))
        return {"Added", R"({"amount":)" + std::to_string(added->amount) + "}"};
    return {"Closed", "{}"};
}

Tally evolve_recorded(Tally tally, const es::RecordedEvent& recorded) {
    if (recorded.type == "Opened") return evolve(tally, Opened{});
    if (recorded.type == "Closed") return evolve(tally, Closed{});
    const auto at = recorded.payload_json.find(':');
    return evolve(tally, Added{std::stoi(recorded.payload_json.substr(at + 1))});
}

// The memory store, counting the calls the cycle makes.
class CountingStore final : public es::EventStore {
  public:
    es::AppendOutcome append(const es::StreamId& stream,
                             const es::ExpectedVersion& expected,
                             const std::vector<es::NewEvent>& events) override {
        ++appends;
        return inner.append(stream, expected, events);
    }
    std::vector<es::AppendOutcome> append_many(
        const std::vector<es::AppendRequest>& requests) override {
        ++append_manys;
        return inner.append_many(requests);
    }
    std::vector<es::RecordedEvent> read_stream(const es::StreamId& stream,
                                               es::StreamVersion from,
                                               std::size_t max_count) const override {
        ++stream_reads;
        return inner.read_stream(stream, from, max_count);
    }
    std::vector<std::vector<es::RecordedEvent>> read_streams_from(
        const std::vector<es::StreamId>& streams,
        const std::vector<es::StreamVersion>& from) const override {
        ++batch_reads;
        return counted(inner.read_streams_from(streams, from));
    }
    std::vector<es::RecordedEvent> read_all(es::CommitPosition after,
                                            std::size_t max_count) const override {
        return inner.read_all(after, max_count);
    }

    es::MemoryEventStore inner;
    int appends = 0;
    int append_manys = 0;
    mutable int stream_reads = 0;
    mutable int batch_reads = 0;
    mutable std::size_t events_batch_read = 0;

  private:
    std::vector<std::vector<es::RecordedEvent>> counted(
        std::vector<std::vector<es::RecordedEvent>> streams) const {
        for (const auto& events : streams) events_batch_read += events.size();
        return streams;
    }
};

// The tally as a snapshot's state: "open,closed,total".
std::string encode_tally(const Tally& tally) {
    return std::to_string(tally.open) + "," + std::to_string(tally.closed) + "," +
           std::to_string(tally.total);
}

std::optional<Tally> decode_tally(std::string_view text) {
    if (text.size() < 5 || text[1] != ',' || text[3] != ',') return std::nullopt;
    return Tally{text[0] == '1', text[2] == '1', std::stoi(std::string(text.substr(4)))};
}

using Outcome = std::variant<es::Recorded, Rejection, es::InvalidInput>;

struct Cycle {
    CountingStore store;
    es::StateCache<Tally> cache{100};

    std::vector<Outcome> run(const std::vector<es::StreamCommand<Command>>& commands) {
        return run_with(cache, commands);
    }
    std::vector<Outcome> run_with(es::StateCache<Tally>& with,
                                  const std::vector<es::StreamCommand<Command>>& commands) {
        return es::decide_and_append_batch<Rejection>(store, with, commands, Tally{},
                                                      evolve_recorded, evolve, decide, encode);
    }
    std::vector<Outcome> run_snapshotting(es::StateCache<Tally>& with,
                                          const std::vector<es::StreamCommand<Command>>& commands,
                                          std::int64_t every = 3) {
        const es::StreamSnapshotting<Tally> snapshotting{store.inner, 1, every, encode_tally,
                                                         decode_tally};
        return es::decide_and_append_batch<Rejection>(
            store, with, commands, Tally{}, evolve_recorded, evolve, decide, encode, &snapshotting);
    }
    std::optional<es::StreamSnapshot> snapshot_of(const std::string& stream) const {
        return store.inner.load_stream_snapshots({es::StreamId{stream}}).front();
    }
    std::vector<std::string> types(const std::string& stream) const {
        std::vector<std::string> result;
        for (const auto& event : store.inner.read_stream(es::StreamId{stream}))
            result.push_back(event.type);
        return result;
    }
};

es::StreamCommand<Command> on(const std::string& stream, Command command, const std::string& id) {
    return {es::StreamId{stream}, std::move(command), {id, {"corr", id}}};
}

const es::Recorded& recorded(const Outcome& outcome) {
    BOOST_REQUIRE(std::holds_alternative<es::Recorded>(outcome));
    return std::get<es::Recorded>(outcome);
}

std::string rejected(const Outcome& outcome) {
    BOOST_REQUIRE(std::holds_alternative<Rejection>(outcome));
    return std::get<Rejection>(outcome).reason;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(decide_and_append_batch, Cycle)

BOOST_AUTO_TEST_CASE(a_batch_is_one_read_and_one_append_many_with_each_stream_in_order) {
    const auto outcomes = run({on("tally-a", Open{}, "c1"), on("tally-b", Open{}, "c2"),
                               on("tally-a", Add{5}, "c3"), on("tally-a", Add{0}, "c4"),
                               on("tally-b", Close{}, "c5"), on("tally-c", Add{1}, "c6")});
    BOOST_REQUIRE_EQUAL(outcomes.size(), 6U);
    BOOST_TEST(recorded(outcomes[0]).types == std::vector<std::string>{"Opened"});
    BOOST_TEST(recorded(outcomes[0]).result.first_version == es::StreamVersion{1});
    BOOST_TEST(recorded(outcomes[2]).result.first_version == es::StreamVersion{2});
    BOOST_TEST(recorded(outcomes[2]).result.last_version == es::StreamVersion{2});
    BOOST_TEST(recorded(outcomes[3]).types.empty());  // decided nothing
    BOOST_TEST(recorded(outcomes[4]).types == (std::vector<std::string>{"Added", "Closed"}));
    BOOST_TEST(recorded(outcomes[4]).result.last_version == es::StreamVersion{3});
    BOOST_TEST(rejected(outcomes[5]) == "not open");  // decided on a fresh read: final
    BOOST_TEST(store.batch_reads == 1);
    BOOST_TEST(store.append_manys == 1);
    BOOST_TEST(store.appends == 0);
    BOOST_TEST(types("tally-a") == (std::vector<std::string>{"Opened", "Added"}));
    BOOST_TEST(types("tally-b") == (std::vector<std::string>{"Opened", "Added", "Closed"}));
}

BOOST_AUTO_TEST_CASE(event_ids_are_those_one_decide_and_append_per_command_derives) {
    run({on("tally-a", Open{}, "c1"), on("tally-a", Add{5}, "c2")});
    es::MemoryEventStore alone;
    for (const auto& [command, id] :
         std::vector<std::pair<Command, std::string>>{{Open{}, "c1"}, {Add{5}, "c2"}}) {
        es::decide_and_append<Rejection>(
            alone, es::StreamId{"tally-a"}, Tally{}, evolve_recorded,
            [&](const Tally& tally) { return decide(command, tally); }, encode,
            es::Cause{id, {"corr", id}});
    }
    const auto batched = store.inner.read_stream(es::StreamId{"tally-a"});
    const auto single = alone.read_stream(es::StreamId{"tally-a"});
    BOOST_REQUIRE_EQUAL(batched.size(), single.size());
    for (std::size_t i = 0; i < batched.size(); ++i) {
        BOOST_TEST(batched[i].event_id == single[i].event_id);
    }
}

BOOST_AUTO_TEST_CASE(streams_written_by_a_batch_are_not_read_again) {
    run({on("tally-a", Open{}, "c1"), on("tally-b", Open{}, "c2")});
    BOOST_TEST(store.batch_reads == 1);
    const auto outcomes = run({on("tally-a", Add{2}, "c3"), on("tally-b", Add{3}, "c4")});
    BOOST_TEST(store.batch_reads == 1);  // both came from the cache
    BOOST_TEST(recorded(outcomes[1]).result.first_version == es::StreamVersion{2});
    BOOST_TEST(cache.find(es::StreamId{"tally-b"})->state.total == 3);
    BOOST_TEST(cache.find(es::StreamId{"tally-b"})->version == es::StreamVersion{2});
}

BOOST_AUTO_TEST_CASE(a_stale_cached_stream_conflicts_and_is_decided_again_on_a_fresh_read) {
    run({on("tally-a", Open{}, "c1")});
    // Another instance adds behind this cache's back.
    es::decide_and_append<Rejection>(
        store.inner, es::StreamId{"tally-a"}, Tally{}, evolve_recorded,
        [](const Tally& tally) { return decide(Add{10}, tally); }, encode,
        es::Cause{"elsewhere", {}});
    const auto outcomes = run({on("tally-a", Add{1}, "c2"), on("tally-a", Close{}, "c3")});
    BOOST_TEST(recorded(outcomes[0]).result.first_version == es::StreamVersion{3});
    BOOST_TEST(recorded(outcomes[1]).result.last_version == es::StreamVersion{5});
    BOOST_TEST(types("tally-a") ==
               (std::vector<std::string>{"Opened", "Added", "Added", "Added", "Closed"}));
    BOOST_TEST(!cache.find(es::StreamId{"tally-a"}).has_value());  // read afresh next time
}

BOOST_AUTO_TEST_CASE(a_rejection_decided_on_a_cached_stream_is_checked_on_a_fresh_read) {
    run({on("tally-a", Add{1}, "c1")});  // "not open", and the empty stream is cached
    BOOST_TEST(store.batch_reads == 1);
    es::decide_and_append<Rejection>(
        store.inner, es::StreamId{"tally-a"}, Tally{}, evolve_recorded,
        [](const Tally& tally) { return decide(Open{}, tally); }, encode,
        es::Cause{"elsewhere", {}});
    // The cache still says "not open"; the answer must come from the store.
    const auto outcomes = run({on("tally-a", Add{4}, "c2")});
    BOOST_TEST(recorded(outcomes[0]).types == std::vector<std::string>{"Added"});
    BOOST_TEST(types("tally-a") == (std::vector<std::string>{"Opened", "Added"}));
}

BOOST_AUTO_TEST_CASE(a_redelivered_batch_appends_nothing_more) {
    const std::vector<es::StreamCommand<Command>> batch{on("tally-a", Open{}, "c1"),
                                                        on("tally-a", Add{7}, "c2")};
    const auto first = run(batch);
    es::StateCache<Tally> restarted(100);  // another instance, or this one restarted
    const auto again = run_with(restarted, batch);
    BOOST_TEST(rejected(again[0]) == "already open");
    // Add{7} decided again on the fresh state derives the same event id: a repeat, answered
    // with the original append (positions there are those of the batch's whole append).
    BOOST_TEST(recorded(again[1]).result.first_version == recorded(first[1]).result.first_version);
    BOOST_TEST(recorded(again[1]).result.last_version == recorded(first[1]).result.last_version);
    BOOST_TEST(types("tally-a") == (std::vector<std::string>{"Opened", "Added"}));
}

// A stream whose snapshots fall on multiples of `every` (offset 0), so versions below read plainly.
std::string aligned_stream(std::int64_t every) {
    for (int i = 0;; ++i) {
        std::string name = "tally-" + std::to_string(i);
        if (es::snapshot_offset(es::StreamId{name}, every) == 0) return name;
    }
}

BOOST_AUTO_TEST_CASE(a_stream_crossing_every_n_events_is_snapshotted_and_loaded_from_there) {
    const std::string a = aligned_stream(3);
    run_snapshotting(cache, {on(a, Open{}, "c1"), on(a, Add{1}, "c2")});
    BOOST_TEST(!snapshot_of(a).has_value());  // 2 events: below the first multiple of 3
    run_snapshotting(cache, {on(a, Add{2}, "c3"), on(a, Add{4}, "c4")});
    const auto saved = snapshot_of(a);
    BOOST_REQUIRE(saved.has_value());
    BOOST_TEST(saved->version == es::StreamVersion{4});
    BOOST_TEST(saved->state == "1,0,7");
    run_snapshotting(cache, {on(a, Add{8}, "c5")});  // v5: no multiple crossed
    BOOST_TEST(snapshot_of(a)->version == es::StreamVersion{4});

    es::StateCache<Tally> cold(100);
    const auto events_before = store.events_batch_read;
    const auto outcomes = run_snapshotting(cold, {on(a, Add{16}, "c6")});
    BOOST_TEST(store.events_batch_read - events_before == 1U);  // only v5, after the snapshot
    BOOST_TEST(recorded(outcomes[0]).result.first_version == es::StreamVersion{6});
    BOOST_TEST(snapshot_of(a)->version == es::StreamVersion{6});  // crossed 6
    BOOST_TEST(cold.find(es::StreamId{a})->state.total == 31);
    BOOST_TEST(decode_tally(snapshot_of(a)->state)->total == 31);
}

BOOST_AUTO_TEST_CASE(a_rejection_decided_on_a_snapshot_is_final) {
    const std::string a = aligned_stream(3);
    run_snapshotting(cache, {on(a, Open{}, "c1"), on(a, Add{1}, "c2"), on(a, Close{}, "c3")});
    BOOST_REQUIRE(snapshot_of(a).has_value());
    es::StateCache<Tally> cold(100);
    const auto outcomes = run_snapshotting(cold, {on(a, Add{1}, "c4")});
    BOOST_TEST(rejected(outcomes[0]) == "not open");
    BOOST_TEST(store.stream_reads == 0);  // no fresh read: the snapshot is not a cache entry
}

BOOST_AUTO_TEST_CASE(streams_appended_in_step_save_their_snapshots_in_different_batches) {
    // Sixty streams gaining one event per batch, as accounts do at one order each: with one
    // schedule for all, every stream would save in the third batch and none in the others.
    constexpr int kStreams = 60;
    std::vector<int> saved_in_batch;
    int saved_before = 0;
    for (int batch = 1; batch <= 3; ++batch) {
        // Batch 1 opens every stream (version 1); the others add one event each.
        std::vector<es::StreamCommand<Command>> commands;
        for (int s = 0; s < kStreams; ++s) {
            const auto id = std::to_string(s) + "-" + std::to_string(batch);
            commands.push_back(batch == 1
                                   ? on("step-" + std::to_string(s), Open{}, "open-" + id)
                                   : on("step-" + std::to_string(s), Add{batch}, "add-" + id));
        }
        run_snapshotting(cache, commands);
        int saved = 0;
        for (int s = 0; s < kStreams; ++s) {
            const std::string stream = "step-" + std::to_string(s);
            const auto snapshot = snapshot_of(stream);
            const auto offset = es::snapshot_offset(es::StreamId{stream}, 3);
            // Saved exactly in the batch that reached the version its offset names.
            BOOST_TEST(snapshot.has_value() == (3 - offset <= batch));
            if (snapshot) ++saved;
        }
        saved_in_batch.push_back(saved - saved_before);
        saved_before = saved;
    }
    BOOST_TEST(saved_before == kStreams);  // three versions: each stream saved once
    for (const int saved : saved_in_batch) {
        BOOST_TEST(saved > 0);
        BOOST_TEST(saved < kStreams / 2);
    }
}

BOOST_AUTO_TEST_CASE(a_snapshot_in_another_format_or_that_does_not_decode_is_ignored) {
    run({on("tally-a", Open{}, "c1"), on("tally-a", Add{1}, "c2"), on("tally-b", Open{}, "c3")});
    // Wrong on purpose: were either used, the totals below would be off.
    store.inner.save_stream_snapshots(
        {{es::StreamId{"tally-a"}, {es::StreamVersion{2}, 2, "1,0,500"}},
         {es::StreamId{"tally-b"}, {es::StreamVersion{1}, 1, "not a tally"}}});
    es::StateCache<Tally> cold(100);
    run_snapshotting(cold, {on("tally-a", Add{2}, "c4"), on("tally-b", Add{5}, "c5")}, 0);
    BOOST_TEST(cold.find(es::StreamId{"tally-a"})->state.total == 3);
    BOOST_TEST(cold.find(es::StreamId{"tally-b"})->state.total == 5);
    BOOST_TEST(snapshot_of("tally-a")->format == 2);  // every = 0: nothing saved over them
}

BOOST_AUTO_TEST_CASE(a_stream_written_before_snapshots_gets_one_at_its_first_long_load) {
    run({on("tally-a", Open{}, "c1"), on("tally-a", Add{1}, "c2"), on("tally-a", Add{2}, "c3"),
         on("tally-a", Add{3}, "c4")});
    es::StateCache<Tally> cold(100);
    const auto outcomes = run_snapshotting(cold, {on("tally-a", Add{0}, "c5")});  // decides nothing
    BOOST_TEST(recorded(outcomes[0]).types.empty());
    const auto saved = snapshot_of("tally-a");
    BOOST_REQUIRE(saved.has_value());
    BOOST_TEST(saved->version == es::StreamVersion{4});
    BOOST_TEST(saved->state == "1,0,6");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(the_state_cache_forgets_the_least_recently_used_stream) {
    es::StateCache<int> cache(2);
    cache.put(es::StreamId{"a"}, {1, es::StreamVersion{1}});
    cache.put(es::StreamId{"b"}, {2, es::StreamVersion{1}});
    BOOST_TEST(cache.find(es::StreamId{"a"})->state == 1);  // a is now the most recent
    cache.put(es::StreamId{"c"}, {3, es::StreamVersion{1}});
    BOOST_TEST(cache.size() == 2U);
    BOOST_TEST(!cache.find(es::StreamId{"b"}).has_value());
    BOOST_TEST(cache.find(es::StreamId{"a"}).has_value());
    cache.forget(es::StreamId{"a"});
    BOOST_TEST(!cache.find(es::StreamId{"a"}).has_value());
    cache.put(es::StreamId{"c"}, {4, es::StreamVersion{2}});
    BOOST_TEST(cache.find(es::StreamId{"c"})->state == 4);
}
