#include "app/deadline_watcher.hpp"

#include <thread>

#include "adapters/order_event_codec.hpp"
#include "adapters/payment_deadlines_codec.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::order {
namespace {

std::string position_text(eventstore::CommitPosition position) {
    return std::to_string(position.transaction) + "/" + std::to_string(position.position.value());
}

}  // namespace

DeadlineWatcher::DeadlineWatcher(const eventstore::EventStore& store,
                                 OrderSaga& saga,
                                 Clock clock,
                                 eventstore::SnapshotStore* snapshots)
    : store_(store), saga_(saga), clock_(std::move(clock)), snapshots_(snapshots) {}

bool DeadlineWatcher::restore() {
    if (snapshots_ == nullptr) return false;
    const auto snapshot = snapshots_->load_snapshot(kSnapshotName);
    if (!snapshot) return false;
    auto deadlines = snapshot->format == kPaymentDeadlinesFormat
                         ? decode_payment_deadlines(snapshot->state)
                         : std::nullopt;
    if (!deadlines) {
        core::log(core::LogLevel::kWarn,
                  "deadline snapshot not readable; reading the store from its start",
                  {{"format", std::to_string(snapshot->format)},
                   {"expected_format", std::to_string(kPaymentDeadlinesFormat)}});
        return false;
    }
    deadlines_ = std::move(*deadlines);
    pending_ = deadlines_.size();
    position_ = snapshot->position;
    saved_position_ = position_;
    return true;
}

bool DeadlineWatcher::save_snapshot() {
    if (snapshots_ == nullptr || saved_position_ == position_) return false;
    snapshots_->save_snapshot(kSnapshotName, {.position = position_,
                                              .format = kPaymentDeadlinesFormat,
                                              .state = encode_payment_deadlines(deadlines_)});
    saved_position_ = position_;
    return true;
}

std::size_t DeadlineWatcher::catch_up(std::stop_token stop) {
    // read_all's pages are cheap per row once large: 5,000 rows cost one round trip.
    constexpr std::size_t kPage = 5000;
    std::size_t seen = 0;
    while (!stop.stop_requested()) {
        const auto page = store_.read_all(position_, kPage);
        for (const auto& recorded : page) {
            position_ = recorded.commit_position();
            if (recorded.type == "PaymentRequested") {
                if (auto event = decode_event(recorded.type, recorded.payload_json)) {
                    const auto& requested = std::get<PaymentRequested>(*event);
                    deadlines_[requested.order_id] = {requested.deadline,
                                                      recorded.metadata.correlation_id,
                                                      recorded.event_id.value()};
                }
            } else if (recorded.type == "OrderConfirmed" || recorded.type == "OrderCancelled") {
                if (auto order_id = decode_order_id(recorded.payload_json))
                    deadlines_.erase(*order_id);
            }
        }
        seen += page.size();
        pending_ = deadlines_.size();
        if (page.size() < kPage) {
            caught_up_ = true;
            break;
        }
    }
    return seen;
}

std::size_t DeadlineWatcher::cancel_overdue(std::stop_token stop) {
    const auto now = clock_();
    std::size_t cancelled = 0;
    for (auto it = deadlines_.begin(); it != deadlines_.end() && !stop.stop_requested();) {
        if (it->second.due > now) {
            ++it;
            continue;
        }
        if (saga_.cancel_if_overdue(it->first, it->second.correlation_id,
                                    it->second.payment_request_id)) {
            ++cancelled;
        }
        // Cancelled now, by another instance, or already paid: no longer ours to watch.
        it = deadlines_.erase(it);
    }
    pending_ = deadlines_.size();
    return cancelled;
}

void DeadlineWatcher::run(std::stop_token stop,
                          std::chrono::milliseconds interval,
                          std::chrono::milliseconds snapshot_interval) {
    using Steady = std::chrono::steady_clock;
    bool restored = false;
    bool logged_caught_up = false;
    const auto started = Steady::now();
    auto next_snapshot = started + snapshot_interval;
    while (!stop.stop_requested()) {
        try {
            if (!restored) {
                const bool from_snapshot = restore();
                restored = true;
                core::log(core::LogLevel::kInfo, "deadline index restored",
                          {{"from", from_snapshot ? "snapshot" : "start of store"},
                           {"position", position_text(position_)},
                           {"pending", std::to_string(pending())}});
            }
            const auto read = catch_up(stop);
            if (!logged_caught_up && caught_up()) {
                // How long a start-up leaves deadlines unwatched: what operators tune
                // ORDER_DEADLINE_SNAPSHOT_MS by.
                logged_caught_up = true;
                core::log(
                    core::LogLevel::kInfo, "deadline index caught up",
                    {{"events_read", std::to_string(read)},
                     {"pending", std::to_string(pending())},
                     {"ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               Steady::now() - started)
                                               .count())}});
            }
            cancel_overdue(stop);
            if (Steady::now() >= next_snapshot) {
                save_snapshot();
                next_snapshot = Steady::now() + snapshot_interval;
            }
        } catch (const std::exception& error) {
            core::log(core::LogLevel::kWarn, "deadline watcher failed; retrying",
                      {{"error", error.what()}});
        }
        const auto until = Steady::now() + interval;
        while (!stop.stop_requested() && Steady::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    try {
        if (restored) save_snapshot();
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kWarn, "deadline snapshot not saved at shutdown",
                  {{"error", error.what()}});
    }
}

}  // namespace ordersource::order
