#include "app/notification_recorder.hpp"

#include "ordersource/core/log.hpp"

namespace ordersource::notifier {

std::vector<messaging::HandleOutcome> NotificationRecorder::handle(
    const std::vector<messaging::Delivery>& batch) {
    std::vector<Observation> observations;
    observations.reserve(batch.size());
    for (const auto& delivery : batch) observations.push_back(observe(delivery.envelope));
    const auto recorded = store_.record(observations);
    // Logged after the commit, once per notification newly recorded (a repeat logs nothing).
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& notification = observations[i].notification;
        if (!notification || !recorded.contains(notification->event_id)) continue;
        const auto& envelope = batch[i].envelope;
        core::log(core::LogLevel::kInfo, "notification",
                  {{"order_id", notification->order_id},
                   {"event_id", notification->event_id},
                   {"correlation_id", envelope.correlation_id},
                   {"causation_id", envelope.causation_id},
                   {"kind", notification->kind},
                   {"text", notification->message}});
    }
    return std::vector<messaging::HandleOutcome>(batch.size(), messaging::Handled{});
}

}  // namespace ordersource::notifier
