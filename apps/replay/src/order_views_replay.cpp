#include "order_views_replay.hpp"

#include <chrono>
#include <deque>
#include <stdexcept>

#include "adapters/pg_order_view_rebuild.hpp"
#include "domain/order_view.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/kafka/partition_reader.hpp"

namespace ordersource::replay {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using gateway::FeedOffsets;

// Brings the shadow up to `target` (next offset per partition), in batches. Records read
// beyond the target are held back for a later, larger target: verify must stop exactly at
// the live projection's checkpoint.
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
        std::vector<std::pair<std::optional<gateway::OrderViewChange>, gateway::FeedPosition>>
            batch;
        const auto flush = [&] {
            if (batch.empty()) return;
            rebuild_.apply(batch);
            progress_state_.applied += static_cast<std::int64_t>(batch.size());
            batch.clear();
            report();
        };
        const auto take = [&](kafka::Record record) {
            const kafka::TopicPartition partition{record.topic, record.partition};
            const auto end = target.find(partition);
            if (end == target.end() || record.offset >= end->second) {
                held_.push_back(std::move(record));
                return;
            }
            next_[partition] = record.offset + 1;
            batch.emplace_back(
                change_of(record),
                gateway::FeedPosition{record.topic, record.partition, record.offset});
            if (batch.size() >= batch_size_) flush();
        };
        std::deque<kafka::Record> earlier;
        earlier.swap(held_);
        for (auto& record : earlier) take(std::move(record));
        auto last_progress = Clock::now();
        while (!reached(target)) {
            auto record = reader_.poll(200ms);
            if (!record) {
                flush();  // a quiet moment: make what was read durable
                if (Clock::now() - last_progress > 60s) {
                    throw std::runtime_error(
                        "Kafka delivered nothing for 60 s before the rebuild "
                        "reached the end of the topics");
                }
                continue;
            }
            last_progress = Clock::now();
            take(std::move(*record));
        }
        flush();
    }

    const ReplayProgress& progress() const { return progress_state_; }

  private:
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
    std::deque<kafka::Record> held_;
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

}  // namespace

ReplayReport replay_order_views(const RebuildProjection& command,
                                const pg::ConnectionSettings& gateway_database,
                                const kafka::Properties& kafka,
                                const std::function<void(const ReplayProgress&)>& progress) {
    const auto started = Clock::now();
    gateway::PgOrderViewRebuild rebuild(gateway_database);
    // A verify always starts from nothing; a rebuild resumes where a killed one stopped.
    const auto resume = rebuild.open(command.fresh || command.verify);
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
