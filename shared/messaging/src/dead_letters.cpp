#include "ordersource/messaging/dead_letters.hpp"

#include <algorithm>

namespace ordersource::messaging {

DeadLetterPublisher::DeadLetterPublisher(kafka::Producer& producer, std::string topic)
    : producer_(producer), topic_(std::move(topic)) {}

std::optional<kafka::Error> DeadLetterPublisher::publish(const kafka::Record& source,
                                                         std::string_view consumer_group,
                                                         std::string_view reason) {
    kafka::OutgoingRecord letter{topic_, source.key, source.value, source.headers};
    // A record that was itself re-driven keeps only the newest reason.
    std::erase_if(letter.headers,
                  [](const kafka::Header& header) { return header.key.starts_with("dlq-"); });
    letter.headers.push_back({std::string(kSourceTopicHeader), source.topic});
    letter.headers.push_back(
        {std::string(kSourcePartitionHeader), std::to_string(source.partition)});
    letter.headers.push_back({std::string(kSourceOffsetHeader), std::to_string(source.offset)});
    letter.headers.push_back({std::string(kConsumerGroupHeader), std::string(consumer_group)});
    letter.headers.push_back({std::string(kReasonHeader), std::string(reason)});
    return producer_.produce_and_wait(letter).error;
}

}  // namespace ordersource::messaging
