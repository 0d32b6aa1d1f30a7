#pragma once
// Tails an event store in commit order and produces every event to Kafka as a JSON envelope
// with the same facts in headers (ARCHITECTURE.md principles 1 and 5). The checkpoint moves
// only over events whose delivery the broker acknowledged, in order, so a crash or a failed
// delivery means re-sending (at-least-once; consumers dedupe by event id), never a skip.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/eventstore/checkpoint_store.hpp"
#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/kafka/producer.hpp"

namespace ordersource::relay {

struct RelayOptions {
    std::string name;   // the checkpoint's name: one per relay of a store
    std::string topic;  // e.g. "order-events"
    std::size_t batch_size = 500;
    // How long a batch may wait for its delivery reports before it counts as failed.
    std::chrono::milliseconds delivery_timeout{60'000};
    // run(): pause when there was nothing to relay, and after a failure.
    std::chrono::milliseconds idle_wait{100};
    std::chrono::milliseconds retry_wait{1'000};
    // The checkpoint is saved at most this often (and when run() stops): a crash re-sends at
    // most this window of events, which consumers absorb by event id, and a busy relay does
    // not pay a commit per step. 0 saves after every step.
    std::chrono::milliseconds checkpoint_interval{0};
};

// The Kafka key of an event: every event of one order must map to the same key (the order
// id), whatever stream it lives in.
using KeyFunction = std::function<std::string(const eventstore::RecordedEvent&)>;

struct RelayStep {
    std::size_t relayed = 0;            // events delivered and checkpointed by this step
    std::optional<kafka::Error> error;  // a produce or delivery failure; retried next step
};

class EventRelay {
  public:
    // All references must outlive the relay.
    EventRelay(const eventstore::EventStore& store,
               eventstore::CheckpointStore& checkpoints,
               kafka::Producer& producer,
               KeyFunction key,
               RelayOptions options);

    // Reads one batch after the checkpoint, produces it, waits for every delivery report
    // and moves the checkpoint after the longest delivered prefix (saving it unless it was
    // saved less than checkpoint_interval ago). Throws on store failure.
    RelayStep relay_once();

    // Saves the checkpoint if it moved since it was last saved. Throws on store failure.
    void save_checkpoint();

    // relay_once() until stop is requested; failures are logged and retried after a pause.
    // When idle it waits idle_wait or until nudge(), whichever comes first.
    void run(std::stop_token stop);

    // Something was just appended: end an idle wait now. Appends this process makes are
    // relayed at once; other writers' appends are still found within idle_wait.
    // Safe from any thread.
    void nudge();

    eventstore::CommitPosition checkpoint() const { return checkpoint_; }

  private:
    const eventstore::EventStore& store_;
    eventstore::CheckpointStore& checkpoints_;
    kafka::Producer& producer_;
    KeyFunction key_;
    RelayOptions options_;
    eventstore::CommitPosition checkpoint_;
    eventstore::CommitPosition saved_checkpoint_;
    std::chrono::steady_clock::time_point saved_at_{};
    std::mutex wake_mutex_;
    std::condition_variable_any wake_;
    bool nudged_ = false;
};

// `kafka` with the relay's producer defaults where it names none: linger.ms=10, since a relay
// produces whole pages of events and fewer, larger produce requests cost the broker less
// (ADR 17).
kafka::Properties relay_producer_config(kafka::Properties kafka);

// The envelope a stored event travels in; occurredAt is when the store recorded it. Readers
// of the store that must see what Kafka consumers see (the replay tool) use it too.
contracts::Envelope to_envelope(const eventstore::RecordedEvent& event);

// The record an event travels in: value = envelope JSON, headers = event-id, event-type,
// schema-version, stream-id, stream-version, correlation-id, causation-id, content-type.
kafka::OutgoingRecord to_record(const eventstore::RecordedEvent& event,
                                const std::string& topic,
                                std::string key);

}  // namespace ordersource::relay
