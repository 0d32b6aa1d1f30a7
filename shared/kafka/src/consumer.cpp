#include "ordersource/kafka/consumer.hpp"

#include <algorithm>

#include "rdkafka_util.hpp"

namespace ordersource::kafka {

struct Consumer::Impl {
    detail::LogEventCallback event_logger;
    std::unique_ptr<RdKafka::KafkaConsumer> handle;
    bool closed = false;
};

Consumer::Consumer(const Properties& config, const std::vector<std::string>& subscriptions)
    : impl_(std::make_unique<Impl>()) {
    if (!config.contains("group.id")) {
        throw KafkaError("Kafka consumer needs group.id");
    }
    Properties effective{
        {"auto.offset.reset", "earliest"},
        // Measured with librdkafka 2.0.2: with cooperative-sticky (and no incremental
        // rebalance callback) a member that closed was not seen leaving, so the next member
        // of its group waited the whole session timeout (45 s) before getting partitions;
        // with range it gets them in ~0.3 s. docs/adr/0005-consumer-assignment-strategy.md
        {"partition.assignment.strategy", "range"},
        // librdkafka's 45 s default keeps a crashed member's partitions unassigned for 45 s
        // (a restarted instance waits that long in the rebalance, measured in the e2e
        // SIGKILL test); 10 s with 3 s heartbeats bounds that stall. ADR 5.
        {"session.timeout.ms", "10000"},
        {"heartbeat.interval.ms", "3000"},
    };
    for (const auto& [name, value] : config) {
        effective[name] = value;
    }
    detail::add_fetch_defaults(effective);
    // Offsets are committed by the caller after its transaction, never in the background.
    effective["enable.auto.commit"] = "false";
    effective["enable.auto.offset.store"] = "false";

    auto conf = detail::make_conf(effective);
    std::string error;
    if (conf->set("event_cb", &impl_->event_logger, error) != RdKafka::Conf::CONF_OK) {
        throw KafkaError("Kafka consumer callbacks: " + error);
    }
    impl_->handle.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!impl_->handle) {
        throw KafkaError("cannot create Kafka consumer: " + error);
    }
    if (const auto code = impl_->handle->subscribe(subscriptions); code != RdKafka::ERR_NO_ERROR) {
        throw KafkaError("cannot subscribe: " + RdKafka::err2str(code));
    }
}

Consumer::~Consumer() {
    close();
}

std::optional<Record> Consumer::poll(std::chrono::milliseconds timeout) {
    const std::unique_ptr<RdKafka::Message> message(
        impl_->handle->consume(static_cast<int>(timeout.count())));
    switch (message->err()) {
        case RdKafka::ERR_NO_ERROR:
            break;
        case RdKafka::ERR__TIMED_OUT:
        case RdKafka::ERR__PARTITION_EOF:
            return std::nullopt;
        case RdKafka::ERR__FATAL: {
            std::string reason;
            impl_->handle->fatal_error(reason);
            throw KafkaError("fatal Kafka consumer error: " + reason);
        }
        default:
            core::log(core::LogLevel::kWarn, "kafka consume error",
                      {{"error", message->errstr()}, {"topic", message->topic_name()}});
            return std::nullopt;
    }
    return detail::to_record(*message);
}

std::vector<Record> Consumer::poll_batch(std::size_t max_records,
                                         std::chrono::milliseconds timeout,
                                         std::chrono::milliseconds linger) {
    std::vector<Record> records;
    auto first = poll(timeout);
    if (!first) return records;
    records.push_back(std::move(*first));
    const auto deadline = std::chrono::steady_clock::now() + linger;
    while (records.size() < max_records) {
        // A zero timeout serves only the client's local queue: records fetched already.
        const auto left = std::max(std::chrono::milliseconds(0),
                                   std::chrono::ceil<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now()));
        auto next = poll(left);
        if (next) {
            records.push_back(std::move(*next));
        } else if (left.count() == 0) {
            break;
        }
    }
    return records;
}

std::optional<Error> Consumer::commit(const Record& record) {
    return commit(std::vector<ProcessedOffset>{{record.topic, record.partition, record.offset}});
}

std::optional<Error> Consumer::commit(const std::vector<ProcessedOffset>& processed) {
    if (processed.empty()) return std::nullopt;
    std::vector<std::unique_ptr<RdKafka::TopicPartition>> owned;
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& entry : processed) {
        // Kafka's committed offset is the next one to read.
        owned.emplace_back(
            RdKafka::TopicPartition::create(entry.topic, entry.partition, entry.offset + 1));
        offsets.push_back(owned.back().get());
    }
    if (const auto code = impl_->handle->commitSync(offsets); code != RdKafka::ERR_NO_ERROR) {
        return detail::to_error(code, "commit " + processed.front().topic);
    }
    for (const auto* position : offsets) {
        if (const auto code = position->err(); code != RdKafka::ERR_NO_ERROR) {
            return detail::to_error(code, "commit " + position->topic());
        }
    }
    return std::nullopt;
}

std::vector<Consumer::PartitionLag> Consumer::lag() const {
    std::vector<PartitionLag> result;
    if (impl_->closed) return result;
    std::vector<RdKafka::TopicPartition*> assigned;
    if (impl_->handle->assignment(assigned) != RdKafka::ERR_NO_ERROR) return result;
    impl_->handle->position(assigned);
    for (auto* partition : assigned) {
        std::int64_t low = 0;
        std::int64_t high = 0;
        const bool known =
            impl_->handle->get_watermark_offsets(partition->topic(), partition->partition(), &low,
                                                 &high) == RdKafka::ERR_NO_ERROR;
        const auto next = partition->offset();
        result.push_back({partition->topic(), partition->partition(),
                          known && next >= 0 && high > next ? high - next : 0});
    }
    RdKafka::TopicPartition::destroy(assigned);
    return result;
}

void Consumer::close() {
    if (impl_ && !impl_->closed) {
        impl_->closed = true;
        impl_->handle->close();
    }
}

}  // namespace ordersource::kafka
