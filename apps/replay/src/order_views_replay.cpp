#include "order_views_replay.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "adapters/pg_order_view_rebuild.hpp"
#include "bounded_queue.hpp"
#include "domain/order_summary_fold.hpp"
#include "domain/order_view.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/kafka/partition_reader.hpp"
#include "ordersource/relay/event_relay.hpp"

namespace ordersource::replay {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using gateway::FeedOffsets;

// Brings the shadow up to `target` (next offset per partition), in batches. Records read
// beyond the target are held back for a later, larger target: verify must stop exactly at
// the live projection's checkpoint. Records are polled and parsed on a thread of their own
// while this one writes (ADR 16); that thread lives for one feed_until, so nothing else uses
// the reader meanwhile.
class ShadowFeeder {
  public:
    ShadowFeeder(gateway::PgOrderViewRebuild& rebuild,
                 kafka::PartitionReader& reader,
                 FeedOffsets next,
                 std::size_t batch,
                 std::function<void(const ReplayProgress&)> progress)
        : rebuild_(rebuild),
          reader_(reader),
          next_(std::move(next)),
          batch_size_(batch),
          progress_(std::move(progress)) {}

    void feed_until(const FeedOffsets& target) {
        for (const auto& [partition, end] : target) {
            progress_state_.total += std::max<std::int64_t>(0, end - next_of(partition));
        }
        std::vector<gateway::FeedChange> batch;
        const auto flush = [&] {
            if (batch.empty()) return;
            rebuild_.apply(batch);
            progress_state_.applied += static_cast<std::int64_t>(batch.size());
            batch.clear();
            report();
        };
        const auto take = [&](Parsed record) {
            const auto end = target.find(record.partition);
            if (end == target.end() || record.offset >= end->second) {
                held_.push_back(std::move(record));
                return;
            }
            next_[record.partition] = record.offset + 1;
            batch.push_back({std::move(record.change),
                             gateway::FeedPosition{record.partition.first, record.partition.second,
                                                   record.offset}});
            if (batch.size() >= batch_size_) flush();
        };
        std::deque<Parsed> earlier;
        earlier.swap(held_);
        for (auto& record : earlier) take(std::move(record));
        if (reached(target)) {
            flush();
            return;
        }

        BoundedQueue<std::vector<Parsed>> parsed(4);
        std::atomic<bool> stop{false};
        std::exception_ptr failure;
        std::jthread polling([&] {
            try {
                while (!stop) {
                    // What the client has fetched already, up to a batch; then wait again.
                    std::vector<Parsed> chunk;
                    while (chunk.size() < batch_size_) {
                        auto record = reader_.poll(chunk.empty() ? 200ms : 0ms);
                        if (!record) break;
                        chunk.push_back(Parsed{{record->topic, record->partition},
                                               record->offset,
                                               change_of(*record)});
                    }
                    if (!chunk.empty() && !parsed.push(std::move(chunk))) break;
                }
            } catch (...) {
                failure = std::current_exception();
            }
            parsed.close();
        });
        // However this scope ends, the poller stops before it is joined.
        const struct StopPolling {
            std::atomic<bool>& stop;
            BoundedQueue<std::vector<Parsed>>& queue;
            ~StopPolling() {
                stop = true;
                queue.close();
            }
        } stop_polling{stop, parsed};
        auto last_progress = Clock::now();
        while (!reached(target)) {
            auto chunk = parsed.pop_for(250ms);
            if (!chunk) {
                if (parsed.closed()) break;  // the poller failed: rethrown below
                flush();                     // a quiet moment: make what was read durable
                if (Clock::now() - last_progress > 60s) {
                    throw std::runtime_error(
                        "Kafka delivered nothing for 60 s before the rebuild "
                        "reached the end of the topics");
                }
                continue;
            }
            last_progress = Clock::now();
            for (auto& record : *chunk) take(std::move(record));
        }
        // Whatever the poller read beyond the target waits for the next one.
        stop = true;
        while (auto chunk = parsed.pop()) {
            for (auto& record : *chunk) held_.push_back(std::move(record));
        }
        polling.join();
        if (failure) std::rethrow_exception(failure);
        flush();
    }

    const ReplayProgress& progress() const { return progress_state_; }

  private:
    // A record as the rebuild needs it: where it is in the feed and what it changes.
    struct Parsed {
        kafka::TopicPartition partition;
        std::int64_t offset = 0;
        std::optional<gateway::OrderViewChange> change;
    };

    static std::optional<gateway::OrderViewChange> change_of(const kafka::Record& record) {
        auto parsed = contracts::parse_envelope(record.value);
        // What the live projector never sees (dead-lettered), the rebuild skips too.
        if (!std::holds_alternative<contracts::Envelope>(parsed)) return std::nullopt;
        return gateway::view_change(std::get<contracts::Envelope>(parsed));
    }

    std::int64_t next_of(const kafka::TopicPartition& partition) const {
        const auto found = next_.find(partition);
        return found == next_.end() ? 0 : found->second;
    }

    bool reached(const FeedOffsets& target) const {
        for (const auto& [partition, end] : target) {
            if (next_of(partition) < end) return false;
        }
        return true;
    }

    void report() {
        progress_state_.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
        if (progress_) progress_(progress_state_);
    }

    gateway::PgOrderViewRebuild& rebuild_;
    kafka::PartitionReader& reader_;
    FeedOffsets next_;
    std::size_t batch_size_;
    std::function<void(const ReplayProgress&)> progress_;
    std::deque<Parsed> held_;
    ReplayProgress progress_state_;
    Clock::time_point started_ = Clock::now();
};

FeedOffsets ends_of(const std::vector<kafka::PartitionRange>& ranges) {
    FeedOffsets ends;
    for (const auto& range : ranges) ends[{range.topic, range.partition}] = range.high;
    return ends;
}

// A partition the live projection never read has nothing applied: its cut is offset 0.
FeedOffsets live_cut(gateway::PgOrderViewRebuild& rebuild,
                     const std::vector<kafka::PartitionRange>& ranges) {
    auto live = rebuild.live_offsets();
    FeedOffsets cut;
    for (const auto& range : ranges) {
        const auto found = live.find({range.topic, range.partition});
        cut[{range.topic, range.partition}] = found == live.end() ? 0 : found->second;
    }
    return cut;
}

// Events read from the store and what they change, up to and including `last`.
struct StoreBatch {
    std::vector<gateway::OrderViewChange> changes;
    eventstore::CommitPosition last;
    std::int64_t events = 0;
};

// Reads the order-service's store in commit order after `after`, in batches, until it has
// nothing more to give. Three stages on three threads, each working while the next one does
// (ADR 16): read_all pages (the database sends), conversion to changes, and the caller's
// `apply` of each batch on the calling thread, in order.
class StoreFeeder {
  public:
    StoreFeeder(const eventstore::PostgresEventStore& store,
                eventstore::CommitPosition after,
                std::size_t batch,
                std::function<void(const ReplayProgress&)> progress)
        : store_(store), after_(after), batch_size_(batch), progress_(std::move(progress)) {}

    void feed_to_end(const std::function<void(StoreBatch)>& apply) {
        progress_state_.total = progress_state_.applied + store_.count_after(after_);
        // A few pages and batches in flight: enough to keep every stage busy, little memory.
        BoundedQueue<std::vector<eventstore::RecordedEvent>> pages(4);
        BoundedQueue<StoreBatch> batches(2);
        std::mutex failure_mutex;
        std::exception_ptr failure;
        const auto fail = [&] {
            {
                const std::lock_guard lock(failure_mutex);
                if (!failure) failure = std::current_exception();
            }
            pages.close();
            batches.close();
        };
        std::jthread reader([&, after = after_] {
            try {
                auto at = after;
                for (;;) {
                    auto page = store_.read_all(at, std::min(batch_size_, kPage));
                    if (page.empty()) break;
                    at = page.back().commit_position();
                    if (!pages.push(std::move(page))) return;
                }
                pages.close();
            } catch (...) {
                fail();
            }
        });
        std::jthread converter([&] {
            try {
                StoreBatch batch;
                batch.changes.reserve(batch_size_);
                while (auto page = pages.pop()) {
                    for (const auto& event : *page) {
                        if (auto change = change_of(event))
                            batch.changes.push_back(std::move(*change));
                    }
                    batch.last = page->back().commit_position();
                    batch.events += static_cast<std::int64_t>(page->size());
                    if (static_cast<std::size_t>(batch.events) >= batch_size_) {
                        if (!batches.push(std::exchange(batch, {}))) return;
                        batch.changes.reserve(batch_size_);
                    }
                }
                if (batch.events > 0) batches.push(std::move(batch));
                batches.close();
            } catch (...) {
                fail();
            }
        });
        try {
            while (auto batch = batches.pop()) {
                const auto events = batch->events;
                const auto last = batch->last;
                apply(std::move(*batch));
                after_ = last;
                progress_state_.applied += events;
                progress_state_.total = std::max(progress_state_.total, progress_state_.applied);
                progress_state_.seconds =
                    std::chrono::duration<double>(Clock::now() - started_).count();
                if (progress_) progress_(progress_state_);
            }
        } catch (...) {
            fail();
        }
        reader.join();
        converter.join();
        if (failure) std::rethrow_exception(failure);
    }

    const ReplayProgress& progress() const { return progress_state_; }

  private:
    // read_all's page: large enough that a page costs one round trip among thousands of rows.
    static constexpr std::size_t kPage = 5000;

    // Exactly what the live projector gets from Kafka: the relay's envelope, and nothing that
    // a consumer would dead-letter for its payload.
    static std::optional<gateway::OrderViewChange> change_of(
        const eventstore::RecordedEvent& event) {
        return gateway::checked_view_change(relay::to_envelope(event));
    }

    const eventstore::PostgresEventStore& store_;
    eventstore::CommitPosition after_;
    std::size_t batch_size_;
    std::function<void(const ReplayProgress&)> progress_;
    ReplayProgress progress_state_;
    Clock::time_point started_ = Clock::now();
};

ReplayReport replay_from_store(const RebuildProjection& command,
                               gateway::PgOrderViewRebuild& rebuild,
                               const FeedOffsets& kafka_resume,
                               const pg::ConnectionSettings& store_database,
                               const std::function<void(const ReplayProgress&)>& progress) {
    const auto started = Clock::now();
    const auto resume = rebuild.store_position();
    if (!resume && !kafka_resume.empty()) {
        throw std::runtime_error(
            "an interrupted rebuild from Kafka left its shadow tables: resume it with "
            "--from kafka, or start over with --fresh");
    }
    const eventstore::PostgresEventStore store(store_database, kOrderServiceStoreSchema);
    eventstore::CommitPosition after;
    if (resume) after = {resume->transaction, eventstore::GlobalPosition{resume->global_position}};
    ReplayReport report;
    if (resume) report.resumed_from = store.count_after({}) - store.count_after(after);

    StoreFeeder feeder(store, after, command.batch, progress);
    const auto apply = [&rebuild](StoreBatch batch) {
        rebuild.apply_from_store(std::move(batch.changes),
                                 {batch.last.transaction, batch.last.position.value()});
    };
    feeder.feed_to_end(apply);  // the bulk, while the gateway serves and projects
    rebuild.build_indexes();
    rebuild.lock_live();
    // Under the lock the live projector cannot write. Every event it has applied came
    // through the relay, which only relays what read_all has returned: reading the store to
    // its end now covers all of it (ADR 14).
    feeder.feed_to_end(apply);
    rebuild.hand_over_to_live_feed();
    rebuild.swap();
    report.applied = feeder.progress().applied;
    report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return report;
}

// Reads the whole store and folds every batch in memory as a rebuild would before writing
// it; writes nothing, touches no table of the gateway's.
ReplayReport dry_run_from_store(const RebuildProjection& command,
                                const pg::ConnectionSettings& store_database,
                                const std::function<void(const ReplayProgress&)>& progress) {
    const auto started = Clock::now();
    const eventstore::PostgresEventStore store(store_database, kOrderServiceStoreSchema);
    StoreFeeder feeder(store, {}, command.batch, progress);
    std::size_t orders = 0;
    feeder.feed_to_end([&orders](StoreBatch batch) {
        std::unordered_set<std::string_view> event_ids;
        for (auto& change : batch.changes) {
            change = gateway::with_normalised_times(std::move(change));
            if (change.history) event_ids.insert(change.history->event_id);
        }
        std::map<std::string, gateway::SummaryRow> rows;
        gateway::fold_summaries(rows, gateway::unseen_changes(batch.changes, event_ids));
        orders += rows.size();
    });
    ReplayReport report;
    report.applied = feeder.progress().applied;
    report.folded_rows = static_cast<std::int64_t>(orders);
    report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return report;
}

}  // namespace

ReplayReport replay_order_views(const RebuildProjection& command,
                                const pg::ConnectionSettings& gateway_database,
                                const kafka::Properties& kafka,
                                const pg::ConnectionSettings& store_database,
                                const std::function<void(const ReplayProgress&)>& progress) {
    if (command.dry_run) return dry_run_from_store(command, store_database, progress);
    const auto started = Clock::now();
    gateway::PgOrderViewRebuild rebuild(gateway_database);
    // A verify always starts from nothing; a rebuild resumes where a killed one stopped.
    const auto resume =
        rebuild.open(command.fresh || command.verify, command.source == EventSource::kStore
                                                          ? gateway::WritePath::kStoreBulkLoad
                                                          : gateway::WritePath::kIdempotent);
    if (command.source == EventSource::kStore) {
        return replay_from_store(command, rebuild, resume, store_database, progress);
    }
    if (rebuild.store_position()) {
        throw std::runtime_error(
            "an interrupted rebuild from the event store left its shadow tables: resume it "
            "with --from store, or start over with --fresh");
    }
    ReplayReport report;
    for (const auto& [partition, next] : resume) report.resumed_from += next;

    kafka::PartitionReader reader(kafka, kOrderViewTopics, resume);
    const auto ranges = reader.ranges(30s);
    for (const auto& range : ranges) {
        const auto found = resume.find({range.topic, range.partition});
        const auto next = found == resume.end() ? 0 : found->second;
        if (range.low > next) {
            throw std::runtime_error(
                range.topic + " partition " + std::to_string(range.partition) +
                " now starts at offset " + std::to_string(range.low) +
                ": retention deleted records this rebuild needs, so it would lose orders; "
                "the live tables are left as they are");
        }
    }

    ShadowFeeder feeder(rebuild, reader, resume, command.batch, progress);
    // Most of the work happens before the lock, while the gateway serves and projects.
    feeder.feed_until(command.verify ? live_cut(rebuild, ranges) : ends_of(ranges));
    if (!command.verify) rebuild.build_indexes();  // a verify drops its shadow unread
    rebuild.lock_live();
    // Under the lock the live projection cannot move: catch up to it (verify: exactly its
    // checkpoint; rebuild: the end of the topics, which is at or past it).
    feeder.feed_until(command.verify ? live_cut(rebuild, ranges) : ends_of(reader.ranges(30s)));
    if (command.verify) {
        report.differences = rebuild.differences(100);
        rebuild.discard();
    } else {
        rebuild.swap();
    }
    report.applied = feeder.progress().applied;
    report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return report;
}

}  // namespace ordersource::replay
