#pragma once
// Reads every partition of some topics from chosen offsets, outside any consumer group: no
// join, no rebalance, no commit. For tools that rebuild state from topics and keep their own
// checkpoint (the replay tool stores it next to the rows it writes).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/record.hpp"

namespace ordersource::kafka {

using TopicPartition = std::pair<std::string, std::int32_t>;

struct PartitionRange {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t low = 0;   // first offset still stored (retention deletes below it)
    std::int64_t high = 0;  // next offset to be written
};

class PartitionReader {
  public:
    // `config` needs bootstrap.servers. Every partition of `topics` is read from its offset in
    // `start` (the next offset to read), or from its first stored record when absent.
    // Throws KafkaError when a topic is unknown or the brokers do not answer in `timeout`.
    PartitionReader(const Properties& config,
                    const std::vector<std::string>& topics,
                    const std::map<TopicPartition, std::int64_t>& start,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~PartitionReader();
    PartitionReader(const PartitionReader&) = delete;
    PartitionReader& operator=(const PartitionReader&) = delete;

    // The next record of any partition, or nullopt when none arrived within `timeout`.
    std::optional<Record> poll(std::chrono::milliseconds timeout);

    // Every partition's range, asked of the brokers now. Throws KafkaError.
    std::vector<PartitionRange> ranges(std::chrono::milliseconds timeout) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::kafka
