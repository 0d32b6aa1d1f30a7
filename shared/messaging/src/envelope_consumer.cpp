#include "ordersource/messaging/envelope_consumer.hpp"

#include <optional>
#include <stdexcept>
#include <thread>

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

BatchHandler one_at_a_time(EnvelopeHandler handler) {
    return [handler = std::move(handler)](const std::vector<Delivery>& deliveries) {
        std::vector<HandleOutcome> outcomes;
        outcomes.reserve(deliveries.size());
        for (const auto& delivery : deliveries) {
            outcomes.push_back(handler(delivery.envelope, delivery.record));
        }
        return outcomes;
    };
}

}  // namespace

EnvelopeConsumer::EnvelopeConsumer(kafka::Consumer& consumer,
                                   DeadLetterPublisher& dead_letters,
                                   BatchHandler handler,
                                   ConsumerLoopOptions options)
    : consumer_(consumer),
      dead_letters_(dead_letters),
      handler_(std::move(handler)),
      options_(std::move(options)) {
    options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
}

EnvelopeConsumer::EnvelopeConsumer(kafka::Consumer& consumer,
                                   DeadLetterPublisher& dead_letters,
                                   EnvelopeHandler handler,
                                   ConsumerLoopOptions options)
    : EnvelopeConsumer(
          consumer, dead_letters, one_at_a_time(std::move(handler)), std::move(options)) {}

bool EnvelopeConsumer::poll_once(std::stop_token stop) {
    const auto records =
        consumer_.poll_batch(options_.max_batch, options_.poll_timeout, options_.batch_linger);
    if (records.empty()) {
        commit_handled();  // idle: nothing is gained by holding offsets back
        return false;
    }
    // Contract check first: only envelopes reach the handler.
    std::vector<contracts::Envelope> envelopes;
    envelopes.reserve(records.size());
    std::vector<std::optional<std::string>> dead_letter_reasons(records.size());
    std::vector<std::size_t> delivered;  // index into records of each envelope
    for (std::size_t i = 0; i < records.size(); ++i) {
        auto parsed = contracts::parse_envelope(records[i].value);
        if (auto* violation = std::get_if<contracts::ContractViolation>(&parsed)) {
            dead_letter_reasons[i] = std::move(violation->reason);
        } else {
            envelopes.push_back(std::move(std::get<contracts::Envelope>(parsed)));
            delivered.push_back(i);
        }
    }
    if (!delivered.empty()) {
        std::vector<Delivery> deliveries;
        deliveries.reserve(delivered.size());
        for (std::size_t d = 0; d < delivered.size(); ++d) {
            deliveries.push_back(Delivery{envelopes[d], records[delivered[d]]});
        }
        while (true) {
            try {
                const auto outcomes = handler_(deliveries);
                if (outcomes.size() != deliveries.size()) {
                    // A bug in the handler; retried like an outage, so nothing is skipped.
                    throw std::logic_error("batch handler answered " +
                                           std::to_string(outcomes.size()) + " outcomes for " +
                                           std::to_string(deliveries.size()) + " records");
                }
                for (std::size_t d = 0; d < outcomes.size(); ++d) {
                    if (const auto* refused = std::get_if<Unprocessable>(&outcomes[d])) {
                        dead_letter_reasons[delivered[d]] = refused->reason;
                    }
                }
                break;
            } catch (const std::exception& error) {
                ++counters_.handler_failures;
                core::log(core::LogLevel::kWarn, "handler failed; retrying the same records",
                          {{"first_record", where(deliveries.front().record)},
                           {"records", std::to_string(deliveries.size())},
                           {"event_id", deliveries.front().envelope.event_id},
                           {"correlation_id", deliveries.front().envelope.correlation_id},
                           {"error", error.what()}});
                pause(stop, options_.retry_wait);
                // Not handled and not committed: the next owner of the partitions redelivers.
                if (stop.stop_requested()) return true;
            }
        }
    }
    if (!dead_letter(records, dead_letter_reasons, stop)) return true;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (dead_letter_reasons[i]) {
            ++counters_.dead_lettered;
        } else {
            ++counters_.handled;
        }
        remember_handled(records[i]);
    }
    if (std::chrono::steady_clock::now() - last_commit_ >= options_.commit_interval) {
        commit_handled();
    }
    return true;
}

bool EnvelopeConsumer::dead_letter(const std::vector<kafka::Record>& records,
                                   const std::vector<std::optional<std::string>>& reasons,
                                   std::stop_token stop) {
    std::vector<std::size_t> unsent;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (reasons[i]) unsent.push_back(i);
    }
    // The copies must be safe before we move past the originals.
    while (!unsent.empty()) {
        std::vector<DeadLetterPublisher::Letter> letters;
        letters.reserve(unsent.size());
        for (const auto i : unsent) letters.push_back({&records[i], *reasons[i]});
        const auto errors = dead_letters_.publish_all(letters, options_.group);
        std::vector<std::size_t> failed;
        for (std::size_t l = 0; l < unsent.size(); ++l) {
            const auto& record = records[unsent[l]];
            if (errors[l]) {
                core::log(core::LogLevel::kWarn, "dead letter not acknowledged; retrying",
                          {{"record", where(record)}, {"error", errors[l]->message}});
                failed.push_back(unsent[l]);
            } else {
                core::log(core::LogLevel::kWarn, "record sent to dead-letters",
                          {{"record", where(record)}, {"reason", *reasons[unsent[l]]}});
            }
        }
        unsent = std::move(failed);
        if (unsent.empty()) break;
        pause(stop, options_.retry_wait);
        if (stop.stop_requested()) return false;
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
