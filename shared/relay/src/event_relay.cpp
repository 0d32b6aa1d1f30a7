#include "ordersource/relay/event_relay.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::relay {
namespace {

// Delivery reports of one batch; shared with the callbacks, which may outlive a batch that
// timed out.
struct BatchReports {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::optional<kafka::DeliveryReport>> reports;
    std::size_t pending = 0;
};

std::int64_t epoch_millis(std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

kafka::Properties relay_producer_config(kafka::Properties kafka) {
    kafka.try_emplace("linger.ms", "10");
    return kafka;
}

contracts::Envelope to_envelope(const eventstore::RecordedEvent& event) {
    return {
        .event_id = event.event_id.value(),
        .type = event.type,
        .schema_version = event.schema_version,
        .stream_id = event.stream_id.value(),
        .stream_version = event.stream_version.value(),
        .occurred_at = contracts::format_rfc3339_millis(epoch_millis(event.recorded_at)),
        .correlation_id = event.metadata.correlation_id,
        .causation_id = event.metadata.causation_id,
        .payload_json = event.payload_json,
    };
}

kafka::OutgoingRecord to_record(const eventstore::RecordedEvent& event,
                                const std::string& topic,
                                std::string key) {
    const auto envelope = to_envelope(event);
    kafka::OutgoingRecord record{
        .topic = topic, .key = std::move(key), .value = contracts::to_json(envelope)};
    for (auto& [name, value] : contracts::kafka_headers(envelope)) {
        record.headers.push_back({std::move(name), std::move(value)});
    }
    return record;
}

EventRelay::EventRelay(const eventstore::EventStore& store,
                       eventstore::CheckpointStore& checkpoints,
                       kafka::Producer& producer,
                       KeyFunction key,
                       RelayOptions options)
    : store_(store),
      checkpoints_(checkpoints),
      producer_(producer),
      key_(std::move(key)),
      options_(std::move(options)),
      checkpoint_(checkpoints_.load_checkpoint(options_.name).value_or(eventstore::kStartOfAll)),
      saved_checkpoint_(checkpoint_) {
    if (options_.batch_size == 0) {
        options_.batch_size = 1;
    }
}

RelayStep EventRelay::relay_once() {
    const auto events = store_.read_all(checkpoint_, options_.batch_size);
    if (events.empty()) {
        return {};
    }
    auto batch = std::make_shared<BatchReports>();
    batch->reports.resize(events.size());
    RelayStep step;
    std::size_t queued = 0;
    for (; queued < events.size(); ++queued) {
        {
            const std::lock_guard lock(batch->mutex);
            ++batch->pending;
        }
        auto on_delivered = [batch, index = queued](const kafka::DeliveryReport& report) {
            const std::lock_guard lock(batch->mutex);
            batch->reports[index] = report;
            --batch->pending;
            batch->changed.notify_all();
        };
        const auto& event = events[queued];
        if (auto error = producer_.produce(to_record(event, options_.topic, key_(event)),
                                           std::move(on_delivered))) {
            // Not queued, so no report will come: stop here, keep what was queued.
            const std::lock_guard lock(batch->mutex);
            --batch->pending;
            step.error = std::move(error);
            break;
        }
    }
    {
        std::unique_lock lock(batch->mutex);
        if (!batch->changed.wait_for(lock, options_.delivery_timeout,
                                     [&] { return batch->pending == 0; })) {
            if (!step.error) {
                step.error = kafka::Error{.code = "_TIMED_OUT",
                                          .message = "no delivery report within the timeout",
                                          .retryable = true};
            }
        }
        // The checkpoint may only pass events delivered without a gap before them.
        for (; step.relayed < queued; ++step.relayed) {
            const auto& report = batch->reports[step.relayed];
            if (!report.has_value()) {
                break;
            }
            if (report->error) {
                if (!step.error) {
                    step.error = report->error;
                }
                break;
            }
        }
    }
    if (step.relayed > 0) {
        checkpoint_ = events[step.relayed - 1].commit_position();
        if (std::chrono::steady_clock::now() - saved_at_ >= options_.checkpoint_interval) {
            save_checkpoint();
        }
    }
    return step;
}

void EventRelay::save_checkpoint() {
    if (checkpoint_ == saved_checkpoint_) return;
    checkpoints_.save_checkpoint(options_.name, checkpoint_);
    saved_checkpoint_ = checkpoint_;
    saved_at_ = std::chrono::steady_clock::now();
}

void EventRelay::nudge() {
    {
        const std::lock_guard lock(wake_mutex_);
        nudged_ = true;
    }
    wake_.notify_one();
}

void EventRelay::run(std::stop_token stop) {
    const auto pause = [&](std::chrono::milliseconds duration) {
        std::unique_lock lock(wake_mutex_);
        wake_.wait_for(lock, stop, duration, [this] { return nudged_; });
        nudged_ = false;
    };
    while (!stop.stop_requested()) {
        try {
            const RelayStep step = relay_once();
            if (step.error) {
                core::log(core::LogLevel::kWarn, "relay delivery failed; will retry",
                          {{"relay", options_.name},
                           {"code", step.error->code},
                           {"reason", step.error->message}});
                pause(options_.retry_wait);
            } else if (step.relayed == 0) {
                save_checkpoint();  // caught up: nothing is gained by holding it back
                pause(options_.idle_wait);
            }
        } catch (const std::exception& error) {
            core::log(core::LogLevel::kError, "relay failed; will retry",
                      {{"relay", options_.name}, {"reason", error.what()}});
            pause(options_.retry_wait);
        }
    }
    try {
        save_checkpoint();
    } catch (const std::exception& error) {
        // The next start re-sends from the last saved checkpoint: duplicates, never a gap.
        core::log(core::LogLevel::kWarn, "relay checkpoint not saved at stop",
                  {{"relay", options_.name}, {"reason", error.what()}});
    }
}

}  // namespace ordersource::relay
