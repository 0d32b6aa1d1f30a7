#include "ordersource/eventstore/memory_event_store.hpp"

#include <algorithm>

#include "validation.hpp"

namespace ordersource::eventstore {
namespace {

// What a reader saved under `name` (checkpoints, snapshots), if anything; the caller holds
// the store's lock.
template <typename Saved>
std::optional<Saved> saved_under(const std::map<std::string, Saved>& saved,
                                 const std::string& name) {
    const auto found = saved.find(name);
    if (found == saved.end()) {
        return std::nullopt;
    }
    return found->second;
}

}  // namespace

AppendOutcome MemoryEventStore::append(const StreamId& stream,
                                       const ExpectedVersion& expected,
                                       const std::vector<NewEvent>& events) {
    auto checked = detail::validate_batch(stream, events);
    if (auto* invalid = std::get_if<InvalidInput>(&checked)) {
        return std::move(*invalid);
    }
    const auto& ids = std::get<std::vector<std::string>>(checked);

    const std::lock_guard lock(mutex_);
    std::vector<std::size_t> stored;
    for (const std::string& id : ids) {
        if (const auto found = by_event_id_.find(id); found != by_event_id_.end()) {
            stored.push_back(found->second);
        }
    }
    if (stored.size() == ids.size()) {
        // A repeat of an earlier append: the same events, consecutive, in the same order.
        const RecordedEvent& first = all_[stored.front()];
        for (std::size_t i = 0; i < stored.size(); ++i) {
            const RecordedEvent& event = all_[stored[i]];
            if (event.stream_id != stream ||
                event.stream_version.value() !=
                    first.stream_version.value() + static_cast<std::int64_t>(i)) {
                return detail::already_stored(ids[i], "in another stream or order");
            }
        }
        const RecordedEvent& last = all_[stored.back()];
        return AppendResult{first.stream_version, last.stream_version, first.global_position,
                            last.global_position};
    }
    if (!stored.empty()) {
        const RecordedEvent& event = all_[stored.front()];
        return detail::already_stored(event.event_id.value(),
                                      "in stream '" + event.stream_id.value() + "'");
    }

    auto& stream_events = streams_[stream.value()];
    const StreamVersion current{static_cast<std::int64_t>(stream_events.size())};
    if (!detail::satisfies(expected, current)) {
        if (stream_events.empty()) {
            streams_.erase(stream.value());
        }
        return ConcurrencyConflict{stream, expected, current};
    }
    const std::uint64_t transaction = ++last_transaction_;
    const auto now = std::chrono::system_clock::now();
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& event = events[i];
        RecordedEvent recorded{
            .event_id = EventId{ids[i]},
            .type = event.type,
            .schema_version = event.schema_version,
            .payload_json = event.payload_json,
            .metadata = event.metadata,
            .stream_id = stream,
            .stream_version = StreamVersion{current.value() + static_cast<std::int64_t>(i) + 1},
            .global_position = GlobalPosition{static_cast<std::int64_t>(all_.size()) + 1},
            .transaction = transaction,
            .recorded_at = now,
        };
        by_event_id_.emplace(ids[i], all_.size());
        stream_events.push_back(all_.size());
        all_.push_back(std::move(recorded));
    }
    const RecordedEvent& first = all_[all_.size() - events.size()];
    const RecordedEvent& last = all_.back();
    return AppendResult{first.stream_version, last.stream_version, first.global_position,
                        last.global_position};
}

std::vector<RecordedEvent> MemoryEventStore::read_stream(const StreamId& stream,
                                                         StreamVersion from,
                                                         std::size_t max_count) const {
    const std::lock_guard lock(mutex_);
    std::vector<RecordedEvent> result;
    const auto found = streams_.find(stream.value());
    if (found == streams_.end()) {
        return result;
    }
    const auto first = std::max<std::int64_t>(from.value(), 1);
    for (auto i = static_cast<std::size_t>(first - 1);
         i < found->second.size() && result.size() < max_count; ++i) {
        result.push_back(all_[found->second[i]]);
    }
    return result;
}

std::vector<RecordedEvent> MemoryEventStore::read_all(CommitPosition after,
                                                      std::size_t max_count) const {
    const std::lock_guard lock(mutex_);
    std::vector<RecordedEvent> result;
    // all_ is in commit order already (appends are serialised).
    auto next = std::upper_bound(all_.begin(), all_.end(), after,
                                 [](const CommitPosition& position, const RecordedEvent& event) {
                                     return position < event.commit_position();
                                 });
    for (; next != all_.end() && result.size() < max_count; ++next) {
        result.push_back(*next);
    }
    return result;
}

std::optional<CommitPosition> MemoryEventStore::load_checkpoint(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    return saved_under(checkpoints_, name);
}

void MemoryEventStore::save_checkpoint(const std::string& name, CommitPosition position) {
    const std::lock_guard lock(mutex_);
    checkpoints_[name] = position;
}

std::optional<Snapshot> MemoryEventStore::load_snapshot(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    return saved_under(snapshots_, name);
}

void MemoryEventStore::save_snapshot(const std::string& name, const Snapshot& snapshot) {
    const std::lock_guard lock(mutex_);
    snapshots_[name] = snapshot;
}

std::vector<std::optional<StreamSnapshot>> MemoryEventStore::load_stream_snapshots(
    const std::vector<StreamId>& streams) const {
    const std::lock_guard lock(mutex_);
    std::vector<std::optional<StreamSnapshot>> found;
    found.reserve(streams.size());
    for (const auto& stream : streams)
        found.push_back(saved_under(stream_snapshots_, stream.value()));
    return found;
}

void MemoryEventStore::save_stream_snapshots(
    const std::vector<std::pair<StreamId, StreamSnapshot>>& snapshots) {
    const std::lock_guard lock(mutex_);
    for (const auto& [stream, snapshot] : snapshots) {
        const auto [at, added] = stream_snapshots_.try_emplace(stream.value(), snapshot);
        if (!added && at->second.version < snapshot.version) at->second = snapshot;
    }
}

}  // namespace ordersource::eventstore
