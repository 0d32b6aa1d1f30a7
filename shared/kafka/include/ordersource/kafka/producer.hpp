#pragma once
// An idempotent Kafka producer (acks=all, enable.idempotence, murmur2_random so keys map
// to the same partitions as Java clients). It serves librdkafka's poll() on its own thread,
// so delivery callbacks run there; keep them short and non-blocking.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/record.hpp"

namespace ordersource::kafka {

class Producer {
  public:
    using DeliveryCallback = std::function<void(const DeliveryReport&)>;

    // `config` must hold bootstrap.servers; the safety defaults above can be overridden
    // only where they are not safety-relevant (idempotence and acks are always forced).
    // Throws KafkaError when librdkafka rejects the configuration.
    explicit Producer(const Properties& config);
    // Flushes for up to the close timeout and logs how many records were not delivered.
    ~Producer();

    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    // Queues a copy of the record. `on_delivered` runs exactly once on the poll thread when
    // the broker acknowledged it or delivery finally failed - unless queueing itself fails,
    // in which case the error is returned and the callback is never called.
    std::optional<Error> produce(const OutgoingRecord& record, DeliveryCallback on_delivered);

    // Blocks until the record is acknowledged or fails; for tools and tests.
    DeliveryReport produce_and_wait(const OutgoingRecord& record);

    // Waits until nothing is in flight or the timeout passes; true when nothing is left.
    bool flush(std::chrono::milliseconds timeout);

    // Drops what is still queued (their callbacks report an error), e.g. at shutdown.
    void purge();

    // Records queued or in flight, not yet reported.
    int in_flight() const;

    // True when a broker answered a metadata request within `timeout` (readiness checks).
    bool broker_reachable(std::chrono::milliseconds timeout) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::kafka
