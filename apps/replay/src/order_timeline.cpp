#include "order_timeline.hpp"

#include <sstream>

#include "adapters/order_event_codec.hpp"
#include "domain/order_decider.hpp"
#include "ordersource/contracts/envelope.hpp"

namespace ordersource::replay {

std::vector<TimelineStep> order_timeline(const eventstore::EventStore& store,
                                         const std::string& order_id) {
    std::vector<TimelineStep> steps;
    auto state = order::initial_state();
    for (const auto& event : store.read_stream(eventstore::StreamId{order::stream_id(order_id)})) {
        if (const auto decoded = order::decode_event(event.type, event.payload_json)) {
            state = order::evolve(std::move(state), *decoded);
        }
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                                event.recorded_at.time_since_epoch())
                                .count();
        steps.push_back({event.stream_version.value(), event.type,
                         std::string(order::status_name(state.status)),
                         state.cancellation_reason
                             ? std::optional<std::string>(
                                   order::cancellation_reason_name(*state.cancellation_reason))
                             : std::nullopt,
                         contracts::format_rfc3339_millis(millis)});
    }
    return steps;
}

std::string render(const std::vector<TimelineStep>& steps) {
    std::ostringstream out;
    out << "version  event             status     reason            recorded at\n";
    for (const auto& step : steps) {
        char line[256];
        std::snprintf(line, sizeof(line), "%7lld  %-16s  %-9s  %-16s  %s\n",
                      static_cast<long long>(step.version), step.type.c_str(), step.status.c_str(),
                      step.cancellation_reason.value_or("-").c_str(), step.recorded_at.c_str());
        out << line;
    }
    return out.str();
}

}  // namespace ordersource::replay
