#include "app/deadline_watcher.hpp"

#include <thread>

#include "adapters/order_event_codec.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::order {

DeadlineWatcher::DeadlineWatcher(const eventstore::EventStore& store, OrderSaga& saga, Clock clock)
    : store_(store), saga_(saga), clock_(std::move(clock)) {}

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
        if (page.size() < kPage) break;
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
    return cancelled;
}

void DeadlineWatcher::run(std::stop_token stop, std::chrono::milliseconds interval) {
    while (!stop.stop_requested()) {
        try {
            catch_up(stop);
            cancel_overdue(stop);
        } catch (const std::exception& error) {
            core::log(core::LogLevel::kWarn, "deadline watcher failed; retrying",
                      {{"error", error.what()}});
        }
        const auto until = std::chrono::steady_clock::now() + interval;
        while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

}  // namespace ordersource::order
