#include "ordersource/kafka/admin.hpp"

#include <librdkafka/rdkafka.h>

#include <array>
#include <memory>

#include "ordersource/kafka/client_config.hpp"

namespace ordersource::kafka {
namespace {

// The C++ API of librdkafka 2.0 has no Admin client; these own the C handles.
struct KafkaDeleter {
    void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
    void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
    void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
    void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
    void operator()(rd_kafka_AdminOptions_t* options) const {
        rd_kafka_AdminOptions_destroy(options);
    }
};
template <typename T>
using Owned = std::unique_ptr<T, KafkaDeleter>;

Error make_error(rd_kafka_resp_err_t code, const std::string& detail) {
    return Error{.code = rd_kafka_err2name(code),
                 .message = std::string(rd_kafka_err2str(code)) + ": " + detail,
                 .retryable = false,
                 .fatal = false};
}

}  // namespace

std::optional<Error> create_topics(const Properties& config,
                                   const std::vector<TopicSpec>& topics,
                                   std::chrono::milliseconds timeout) {
    std::array<char, 512> error{};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    for (const auto& [name, value] : config) {
        if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error.data(), error.size()) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw KafkaError("Kafka property " + name + ": " + error.data());
        }
    }
    Owned<rd_kafka_t> handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size()));
    if (!handle) {
        rd_kafka_conf_destroy(conf);
        throw KafkaError(std::string("cannot create Kafka admin client: ") + error.data());
    }
    std::vector<Owned<rd_kafka_NewTopic_t>> owned;
    std::vector<rd_kafka_NewTopic_t*> raw;
    for (const auto& topic : topics) {
        owned.emplace_back(rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                                 topic.replication_factor, error.data(),
                                                 error.size()));
        if (!owned.back()) {
            return make_error(RD_KAFKA_RESP_ERR__INVALID_ARG, error.data());
        }
        raw.push_back(owned.back().get());
    }
    Owned<rd_kafka_AdminOptions_t> options(
        rd_kafka_AdminOptions_new(handle.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()),
                                                error.data(), error.size());
    Owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(handle.get()));
    rd_kafka_CreateTopics(handle.get(), raw.data(), raw.size(), options.get(), queue.get());

    Owned<rd_kafka_event_t> event(
        rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count())));
    if (!event) {
        return make_error(RD_KAFKA_RESP_ERR__TIMED_OUT, "creating topics");
    }
    if (const auto code = rd_kafka_event_error(event.get()); code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return make_error(code, rd_kafka_event_error_string(event.get()));
    }
    const auto* result = rd_kafka_event_CreateTopics_result(event.get());
    std::size_t count = 0;
    const auto* results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto code = rd_kafka_topic_result_error(results[i]);
        if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            const char* message = rd_kafka_topic_result_error_string(results[i]);
            return make_error(code, std::string(rd_kafka_topic_result_name(results[i])) + ": " +
                                        (message != nullptr ? message : ""));
        }
    }
    return std::nullopt;
}

}  // namespace ordersource::kafka
