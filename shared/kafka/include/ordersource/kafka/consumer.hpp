#pragma once
// A Kafka consumer-group member that never commits on its own: the caller commits a
// record's offset only after its own database transaction committed (at-least-once
// transport, exactly-once effect; ARCHITECTURE.md principle 4).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/record.hpp"

namespace ordersource::kafka {

class Consumer {
  public:
    // `config` must hold bootstrap.servers and group.id. A subscription starting with '^'
    // is a regular expression, so topics created later are picked up too.
    // Throws KafkaError when the configuration is rejected.
    Consumer(const Properties& config, const std::vector<std::string>& subscriptions);
    ~Consumer();

    Consumer(const Consumer&) = delete;
    Consumer& operator=(const Consumer&) = delete;

    // The next record, or nullopt when none arrived within `timeout`. Transient client
    // errors are logged and yield nullopt; a fatal client error throws KafkaError.
    std::optional<Record> poll(std::chrono::milliseconds timeout);
    // Up to `max_records` records: waits up to `timeout` for the first, then up to `linger`
    // more for the rest (zero: takes only what the client has already fetched). Empty when
    // none arrived.
    std::vector<Record> poll_batch(std::size_t max_records,
                                   std::chrono::milliseconds timeout,
                                   std::chrono::milliseconds linger = std::chrono::milliseconds(0));

    // Synchronously commits "processed up to and including `record`" for its partition.
    std::optional<Error> commit(const Record& record);
    // The same for several partitions in one request (each entry: the last record processed).
    std::optional<Error> commit(const std::vector<ProcessedOffset>& processed);

    // For each assigned partition: the next offset this member will read and the end of the
    // partition as last seen by the client (no broker round trip; safe from any thread).
    struct PartitionLag {
        std::string topic;
        std::int32_t partition = 0;
        std::int64_t lag = 0;  // records behind the end; 0 before the first fetch
    };
    std::vector<PartitionLag> lag() const;

    // Leaves the group (its partitions go to other members at once). Idempotent.
    void close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::kafka
