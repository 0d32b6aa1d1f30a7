#pragma once
// Private helpers shared by the producer and consumer adapters.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>

#include "ordersource/core/log.hpp"
#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/record.hpp"

namespace ordersource::kafka::detail {

inline bool is_retryable(RdKafka::ErrorCode code) {
    switch (code) {
        case RdKafka::ERR__QUEUE_FULL:
        case RdKafka::ERR__MSG_TIMED_OUT:
        case RdKafka::ERR__TIMED_OUT:
        case RdKafka::ERR__TRANSPORT:
        case RdKafka::ERR__ALL_BROKERS_DOWN:
        case RdKafka::ERR_NOT_ENOUGH_REPLICAS:
        case RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
        case RdKafka::ERR_LEADER_NOT_AVAILABLE:
        case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
        case RdKafka::ERR_REQUEST_TIMED_OUT:
        case RdKafka::ERR_REBALANCE_IN_PROGRESS:
        case RdKafka::ERR__PURGE_QUEUE:
        case RdKafka::ERR__PURGE_INFLIGHT:
            return true;
        default:
            return false;
    }
}

inline Error to_error(RdKafka::ErrorCode code, std::string detail = {}) {
    std::string message = RdKafka::err2str(code);
    if (!detail.empty()) {
        message += ": " + detail;
    }
    return Error{.code = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code)),
                 .message = std::move(message),
                 .retryable = is_retryable(code),
                 .fatal = code == RdKafka::ERR__FATAL};
}

// Builds a librdkafka configuration; throws KafkaError naming the property (never its
// value when it is a secret).
// Every consumer's fetch defaults (callers' properties win): a fetch returns once 64 KiB are
// there or after 25 ms - under load a few large fetches instead of one per produced batch,
// on a broker whose CPU is shared (docs/adr/0017-kafka-client-batching.md).
inline void add_fetch_defaults(Properties& properties) {
    properties.try_emplace("fetch.wait.max.ms", "25");
    properties.try_emplace("fetch.min.bytes", "65536");
}

inline std::unique_ptr<RdKafka::Conf> make_conf(const Properties& properties) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    for (const auto& [name, value] : properties) {
        if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) {
            throw KafkaError("Kafka property " + name +
                             (is_secret_property(name) ? "" : "='" + value + "'") + ": " + error);
        }
    }
    return conf;
}

// Routes librdkafka's own errors and logs into our JSON log.
class LogEventCallback final : public RdKafka::EventCb {
  public:
    void event_cb(RdKafka::Event& event) override {
        switch (event.type()) {
            case RdKafka::Event::EVENT_ERROR:
                core::log(event.fatal() ? core::LogLevel::kError : core::LogLevel::kWarn,
                          "kafka client error",
                          {{"error", RdKafka::err2str(event.err())}, {"detail", event.str()}});
                break;
            case RdKafka::Event::EVENT_LOG:
                if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
                    core::log(core::LogLevel::kWarn, "kafka client log",
                              {{"facility", event.fac()}, {"detail", event.str()}});
                }
                break;
            case RdKafka::Event::EVENT_STATS:
            case RdKafka::Event::EVENT_THROTTLE:
                break;
        }
    }
};

inline std::vector<Header> copy_headers(const RdKafka::Headers* headers) {
    std::vector<Header> out;
    if (headers == nullptr) {
        return out;
    }
    for (const auto& header : headers->get_all()) {
        const auto* bytes = static_cast<const char*>(header.value());
        out.push_back(Header{header.key(), bytes == nullptr
                                               ? std::string()
                                               : std::string(bytes, header.value_size())});
    }
    return out;
}

// A fetched message (err() == ERR_NO_ERROR) as the library's plain Record.
inline Record to_record(RdKafka::Message& message) {  // headers() is not const
    Record record;
    record.topic = message.topic_name();
    record.partition = message.partition();
    record.offset = message.offset();
    if (message.key() != nullptr) record.key = *message.key();
    record.value.assign(static_cast<const char*>(message.payload()), message.len());
    record.headers = copy_headers(message.headers());
    record.timestamp_ms = message.timestamp().timestamp;
    return record;
}

}  // namespace ordersource::kafka::detail
