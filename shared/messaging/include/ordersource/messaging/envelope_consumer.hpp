#pragma once
// The one consume loop every service uses (ARCHITECTURE.md principle 4): poll a batch of
// records, check each against the contract, hand the envelopes to the service, commit the
// offsets only after the handler returned (its database transaction committed). A record
// that can never be handled goes to dead-letters with the reason and the loop moves past it;
// an infrastructure failure (an exception from the handler) is retried on the same batch, so
// nothing is skipped. docs/adr/0008-consume-loop-and-dead-letters.md,
// docs/adr/0015-batched-consumption.md

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/messaging/dead_letters.hpp"

namespace ordersource::messaging {

// The handler did its work (or found it already done: redelivery is a no-op).
struct Handled {};
// The record is well-formed but can never be handled (e.g. its data contradicts itself);
// it goes to dead-letters with this reason.
struct Unprocessable {
    std::string reason;
};
using HandleOutcome = std::variant<Handled, Unprocessable>;

// Runs on the consumer's thread. Throws on infrastructure failure (database down): the same
// record is offered again after `retry_wait`, its offset not committed.
using EnvelopeHandler =
    std::function<HandleOutcome(const contracts::Envelope& envelope, const kafka::Record& record)>;

// A record of a batch that passed the contract check, with its envelope.
struct Delivery {
    const contracts::Envelope& envelope;
    const kafka::Record& record;
};

// Handles the deliveries of one poll together (one database transaction, one group of
// appends) and returns one outcome per delivery, in order. Throws on infrastructure failure:
// the whole batch is offered again after `retry_wait`, none of its offsets committed, so
// every handler must absorb a repeat (by event id).
using BatchHandler = std::function<std::vector<HandleOutcome>(const std::vector<Delivery>&)>;

struct ConsumerLoopOptions {
    std::string group;  // named in dead-letter headers
    std::chrono::milliseconds poll_timeout{100};
    std::chrono::milliseconds retry_wait{500};
    // Offsets of handled records are committed at most this often (and when idle, and at
    // stop): a crash re-delivers at most this window, which handlers absorb by event id.
    std::chrono::milliseconds commit_interval{200};
    // At most this many records per batch; without a linger, a batch is what the client has
    // already fetched when the first record arrives, so a quiet topic gets one-record batches.
    std::size_t max_batch = 500;
    // After a batch's first record, wait up to this long for more (zero: a batch is what was
    // fetched already). Fewer, larger transactions, and for a projection more of an entity's
    // events folded into one row write; each record waits at most this much longer.
    std::chrono::milliseconds batch_linger{0};
};

struct ConsumerCounters {
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> dead_lettered{0};
    std::atomic<std::uint64_t> handler_failures{0};
};

class EnvelopeConsumer {
  public:
    // References must outlive the loop.
    EnvelopeConsumer(kafka::Consumer& consumer,
                     DeadLetterPublisher& dead_letters,
                     BatchHandler handler,
                     ConsumerLoopOptions options);
    // One record at a time (the batch handler calls `handler` for each delivery in order).
    EnvelopeConsumer(kafka::Consumer& consumer,
                     DeadLetterPublisher& dead_letters,
                     EnvelopeHandler handler,
                     ConsumerLoopOptions options);

    // Polls once and, if records arrived, handles the batch to completion (retrying the
    // handler until it succeeds or `stop` is requested). True when a record was consumed.
    bool poll_once(std::stop_token stop = {});

    // poll_once() until stop is requested, then commits what was handled.
    void run(std::stop_token stop);

    // Commits every handled record's offset now; false (and logged) when Kafka refused.
    bool commit_handled();

    const ConsumerCounters& counters() const { return counters_; }

  private:
    void remember_handled(const kafka::Record& record);

    kafka::Consumer& consumer_;
    DeadLetterPublisher& dead_letters_;
    // Dead-letters each record with its reason (an empty reason: not a dead letter), all at
    // once; false when stop was requested before the broker acknowledged every copy (the
    // records then stay uncommitted).
    bool dead_letter(const std::vector<kafka::Record>& records,
                     const std::vector<std::optional<std::string>>& reasons,
                     std::stop_token stop);

    BatchHandler handler_;
    ConsumerLoopOptions options_;
    ConsumerCounters counters_;
    // Last handled offset per (topic, partition), not yet committed.
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> uncommitted_;
    std::chrono::steady_clock::time_point last_commit_ = std::chrono::steady_clock::now();
};

}  // namespace ordersource::messaging
