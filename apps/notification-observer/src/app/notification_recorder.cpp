#include "app/notification_recorder.hpp"

#include "ordersource/core/log.hpp"

namespace ordersource::notifier {

messaging::HandleOutcome NotificationRecorder::handle(const contracts::Envelope& envelope) {
    const auto observation = observe(envelope);
    if (!observation.owner && !observation.notification) return messaging::Handled{};
    if (store_.record(observation)) {
        const auto& notification = *observation.notification;
        core::log(core::LogLevel::kInfo, "notification",
                  {{"order_id", notification.order_id},
                   {"event_id", notification.event_id},
                   {"correlation_id", envelope.correlation_id},
                   {"causation_id", envelope.causation_id},
                   {"kind", notification.kind},
                   {"text", notification.message}});
    }
    return messaging::Handled{};
}

}  // namespace ordersource::notifier
