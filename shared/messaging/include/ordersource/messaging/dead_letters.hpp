#pragma once
// Where records that can never be handled go (topic `dead-letters`): the original key and
// bytes, the original headers, and headers naming where it came from and why, so an operator
// can inspect it with kafka-console-consumer and re-drive it after a fix.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordersource/kafka/producer.hpp"
#include "ordersource/kafka/record.hpp"

namespace ordersource::messaging {

// Header names on a dead letter (besides the original headers).
inline constexpr std::string_view kSourceTopicHeader = "dlq-source-topic";
inline constexpr std::string_view kSourcePartitionHeader = "dlq-source-partition";
inline constexpr std::string_view kSourceOffsetHeader = "dlq-source-offset";
inline constexpr std::string_view kConsumerGroupHeader = "dlq-consumer-group";
inline constexpr std::string_view kReasonHeader = "dlq-reason";

class DeadLetterPublisher {
  public:
    // `producer` must outlive this publisher.
    explicit DeadLetterPublisher(kafka::Producer& producer, std::string topic = "dead-letters");

    // Produces the dead letter and waits for the broker's acknowledgement, so the caller may
    // commit past the source record only once its copy is safe. The error when it was not.
    std::optional<kafka::Error> publish(const kafka::Record& source,
                                        std::string_view consumer_group,
                                        std::string_view reason);

    struct Letter {
        const kafka::Record* source;
        std::string_view reason;
    };
    // Produces every letter, then waits for all their acknowledgements: one round trip to the
    // broker for a batch of them instead of one each (a flood of bad records must not slow
    // the consumer to one broker round trip per record). Per letter, the error when it was
    // not acknowledged.
    std::vector<std::optional<kafka::Error>> publish_all(const std::vector<Letter>& letters,
                                                         std::string_view consumer_group);

  private:
    kafka::Producer& producer_;
    std::string topic_;
};

}  // namespace ordersource::messaging
