#include "ordersource/messaging/dead_letters.hpp"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace ordersource::messaging {

DeadLetterPublisher::DeadLetterPublisher(kafka::Producer& producer, std::string topic)
    : producer_(producer), topic_(std::move(topic)) {}

namespace {

kafka::OutgoingRecord letter_for(const std::string& topic,
                                 const kafka::Record& source,
                                 std::string_view consumer_group,
                                 std::string_view reason) {
    kafka::OutgoingRecord letter{topic, source.key, source.value, source.headers};
    // A record that was itself re-driven keeps only the newest reason.
    std::erase_if(letter.headers,
                  [](const kafka::Header& header) { return header.key.starts_with("dlq-"); });
    letter.headers.push_back({std::string(kSourceTopicHeader), source.topic});
    letter.headers.push_back(
        {std::string(kSourcePartitionHeader), std::to_string(source.partition)});
    letter.headers.push_back({std::string(kSourceOffsetHeader), std::to_string(source.offset)});
    letter.headers.push_back({std::string(kConsumerGroupHeader), std::string(consumer_group)});
    letter.headers.push_back({std::string(kReasonHeader), std::string(reason)});
    return letter;
}

}  // namespace

std::optional<kafka::Error> DeadLetterPublisher::publish(const kafka::Record& source,
                                                         std::string_view consumer_group,
                                                         std::string_view reason) {
    return publish_all({{&source, reason}}, consumer_group).front();
}

std::vector<std::optional<kafka::Error>> DeadLetterPublisher::publish_all(
    const std::vector<Letter>& letters, std::string_view consumer_group) {
    // Shared with the delivery callbacks, which run on the producer's poll thread.
    struct Reports {
        std::mutex mutex;
        std::condition_variable done;
        std::vector<std::optional<kafka::Error>> errors;
        std::size_t pending = 0;
    };
    const auto reports = std::make_shared<Reports>();
    reports->errors.resize(letters.size());
    for (std::size_t i = 0; i < letters.size(); ++i) {
        {
            const std::lock_guard lock(reports->mutex);
            ++reports->pending;
        }
        auto queued = producer_.produce(
            letter_for(topic_, *letters[i].source, consumer_group, letters[i].reason),
            [reports, i](const kafka::DeliveryReport& report) {
                const std::lock_guard lock(reports->mutex);
                reports->errors[i] = report.error;
                if (--reports->pending == 0) reports->done.notify_all();
            });
        if (queued) {
            const std::lock_guard lock(reports->mutex);
            reports->errors[i] = std::move(queued);
            --reports->pending;
        }
    }
    std::unique_lock lock(reports->mutex);
    reports->done.wait(lock, [&reports] { return reports->pending == 0; });
    return reports->errors;
}

}  // namespace ordersource::messaging
