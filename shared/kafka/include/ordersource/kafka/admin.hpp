#pragma once
// Topic administration through librdkafka's Admin API, for tests and tools that need their
// own topics (the broker does not create topics implicitly).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ordersource/kafka/record.hpp"

namespace ordersource::kafka {

struct TopicSpec {
    std::string name;
    int partitions = 1;
    int replication_factor = 1;
};

// Creates the topics; one that exists already counts as created. Returns the first error.
std::optional<Error> create_topics(const Properties& config,
                                   const std::vector<TopicSpec>& topics,
                                   std::chrono::milliseconds timeout);

}  // namespace ordersource::kafka
