#include "ordersource/messaging/envelope_consumer.hpp"

#include <thread>
#include <vector>

#include "ordersource/core/log.hpp"

namespace ordersource::messaging {
namespace {

// Sleeps up to `duration`, waking early when stop is requested.
void pause(std::stop_token stop, std::chrono::milliseconds duration) {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::min(duration, std::chrono::milliseconds(20)));
    }
}

std::string where(const kafka::Record& record) {
    return record.topic + "/" + std::to_string(record.partition) + "@" +
           std::to_string(record.offset);
}

}  // namespace

EnvelopeConsumer::EnvelopeConsumer(kafka::Consumer& consumer,
                                   DeadLetterPublisher& dead_letters,
                                   EnvelopeHandler handler,
                                   ConsumerLoopOptions options)
    : consumer_(consumer),
      dead_letters_(dead_letters),
      handler_(std::move(handler)),
      options_(std::move(options)) {}

bool EnvelopeConsumer::poll_once(std::stop_token stop) {
    const auto record = consumer_.poll(options_.poll_timeout);
    if (!record) {
        commit_handled();  // idle: nothing is gained by holding offsets back
        return false;
    }
    auto parsed = contracts::parse_envelope(record->value);
    std::optional<std::string> dead_letter_reason;
    if (auto* violation = std::get_if<contracts::ContractViolation>(&parsed)) {
        dead_letter_reason = violation->reason;
    } else {
        const auto& envelope = std::get<contracts::Envelope>(parsed);
        while (true) {
            try {
                const auto outcome = handler_(envelope, *record);
                if (const auto* refused = std::get_if<Unprocessable>(&outcome)) {
                    dead_letter_reason = refused->reason;
                }
                break;
            } catch (const std::exception& error) {
                ++counters_.handler_failures;
                core::log(core::LogLevel::kWarn, "handler failed; retrying the same record",
                          {{"record", where(*record)},
                           {"event_id", envelope.event_id},
                           {"correlation_id", envelope.correlation_id},
                           {"error", error.what()}});
                pause(stop, options_.retry_wait);
                // Not handled and not committed: the next owner of the partition redelivers.
                if (stop.stop_requested()) return true;
            }
        }
    }
    if (dead_letter_reason) {
        // The copy must be safe before we move past the original.
        while (const auto error =
                   dead_letters_.publish(*record, options_.group, *dead_letter_reason)) {
            core::log(core::LogLevel::kWarn, "dead letter not acknowledged; retrying",
                      {{"record", where(*record)}, {"error", error->message}});
            pause(stop, options_.retry_wait);
            if (stop.stop_requested()) return true;
        }
        ++counters_.dead_lettered;
        core::log(core::LogLevel::kWarn, "record sent to dead-letters",
                  {{"record", where(*record)}, {"reason", *dead_letter_reason}});
    } else {
        ++counters_.handled;
    }
    remember_handled(*record);
    if (std::chrono::steady_clock::now() - last_commit_ >= options_.commit_interval) {
        commit_handled();
    }
    return true;
}

void EnvelopeConsumer::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        try {
            poll_once(stop);
        } catch (const std::exception& error) {
            core::log(core::LogLevel::kError, "consume loop error", {{"error", error.what()}});
            pause(stop, options_.retry_wait);
        }
    }
    commit_handled();
}

void EnvelopeConsumer::remember_handled(const kafka::Record& record) {
    uncommitted_[{record.topic, record.partition}] = record.offset;
}

bool EnvelopeConsumer::commit_handled() {
    last_commit_ = std::chrono::steady_clock::now();
    if (uncommitted_.empty()) return true;
    std::vector<kafka::ProcessedOffset> processed;
    processed.reserve(uncommitted_.size());
    for (const auto& [partition, offset] : uncommitted_) {
        processed.push_back({partition.first, partition.second, offset});
    }
    if (const auto error = consumer_.commit(processed)) {
        // Typically a rebalance took the partition away; its new owner redelivers from the
        // last commit and the handlers absorb the repeat by event id.
        core::log(core::LogLevel::kWarn, "offset commit failed",
                  {{"error", error->message}, {"code", error->code}});
        uncommitted_.clear();
        return false;
    }
    uncommitted_.clear();
    return true;
}

}  // namespace ordersource::messaging
