#include "ordersource/kafka/partition_reader.hpp"

#include "rdkafka_util.hpp"

namespace ordersource::kafka {

struct PartitionReader::Impl {
    detail::LogEventCallback event_logger;
    std::unique_ptr<RdKafka::KafkaConsumer> handle;
    // Metadata and offset queries go through their own connections: a broker answers one
    // request per connection at a time, so behind the reader's long-polling fetches each
    // query waited up to fetch.wait.max.ms (measured ~0.4 s per partition).
    std::unique_ptr<RdKafka::Producer> probe;
    std::vector<TopicPartition> partitions;
};

namespace {

int millis(std::chrono::milliseconds timeout) {
    return static_cast<int>(timeout.count());
}

std::vector<TopicPartition> partitions_of(RdKafka::Handle& handle,
                                          const std::vector<std::string>& topics,
                                          std::chrono::milliseconds timeout) {
    std::vector<TopicPartition> found;
    for (const auto& name : topics) {
        std::string error;
        const std::unique_ptr<RdKafka::Topic> topic(
            RdKafka::Topic::create(&handle, name, nullptr, error));
        if (!topic) throw KafkaError("topic " + name + ": " + error);
        RdKafka::Metadata* raw = nullptr;
        if (const auto code = handle.metadata(false, topic.get(), &raw, millis(timeout));
            code != RdKafka::ERR_NO_ERROR) {
            throw KafkaError("metadata of " + name + ": " + RdKafka::err2str(code));
        }
        const std::unique_ptr<RdKafka::Metadata> metadata(raw);
        for (const auto* described : *metadata->topics()) {
            if (described->err() != RdKafka::ERR_NO_ERROR) {
                throw KafkaError("topic " + name + ": " + RdKafka::err2str(described->err()));
            }
            for (const auto* partition : *described->partitions()) {
                found.emplace_back(name, partition->id());
            }
        }
    }
    return found;
}

}  // namespace

PartitionReader::PartitionReader(const Properties& config,
                                 const std::vector<std::string>& topics,
                                 const std::map<TopicPartition, std::int64_t>& start,
                                 std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
    Properties effective = config;
    // librdkafka's consumer needs a group id even when it only assigns; nothing is committed.
    effective.try_emplace("group.id", "ordersource-partition-reader");
    detail::add_fetch_defaults(effective);
    effective["enable.auto.commit"] = "false";
    effective["enable.auto.offset.store"] = "false";
    effective["enable.partition.eof"] = "false";
    auto conf = detail::make_conf(effective);
    std::string error;
    if (conf->set("event_cb", &impl_->event_logger, error) != RdKafka::Conf::CONF_OK) {
        throw KafkaError("Kafka reader callbacks: " + error);
    }
    impl_->handle.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!impl_->handle) throw KafkaError("cannot create Kafka reader: " + error);
    Properties probe_properties;
    for (const auto& [name, value] : config) {
        if (name == "bootstrap.servers" || name.starts_with("security.") ||
            name.starts_with("sasl.") || name.starts_with("ssl.") || name == "client.id") {
            probe_properties[name] = value;
        }
    }
    auto probe_conf = detail::make_conf(probe_properties);
    if (probe_conf->set("event_cb", &impl_->event_logger, error) != RdKafka::Conf::CONF_OK) {
        throw KafkaError("Kafka probe callbacks: " + error);
    }
    impl_->probe.reset(RdKafka::Producer::create(probe_conf.get(), error));
    if (!impl_->probe) throw KafkaError("cannot create Kafka probe: " + error);
    impl_->partitions = partitions_of(*impl_->probe, topics, timeout);

    std::vector<std::unique_ptr<RdKafka::TopicPartition>> owned;
    std::vector<RdKafka::TopicPartition*> assignment;
    for (const auto& key : impl_->partitions) {
        const auto given = start.find(key);
        const auto offset = given != start.end() ? given->second : RdKafka::Topic::OFFSET_BEGINNING;
        owned.emplace_back(RdKafka::TopicPartition::create(key.first, key.second, offset));
        assignment.push_back(owned.back().get());
    }
    if (const auto code = impl_->handle->assign(assignment); code != RdKafka::ERR_NO_ERROR) {
        throw KafkaError("cannot assign partitions: " + RdKafka::err2str(code));
    }
}

PartitionReader::~PartitionReader() {
    impl_->handle->unassign();
    impl_->handle->close();
}

std::optional<Record> PartitionReader::poll(std::chrono::milliseconds timeout) {
    const std::unique_ptr<RdKafka::Message> message(impl_->handle->consume(millis(timeout)));
    switch (message->err()) {
        case RdKafka::ERR_NO_ERROR:
            break;
        case RdKafka::ERR__TIMED_OUT:
        case RdKafka::ERR__PARTITION_EOF:
            return std::nullopt;
        default:
            throw KafkaError("reading " + message->topic_name() + ": " + message->errstr());
    }
    return detail::to_record(*message);
}

std::vector<PartitionRange> PartitionReader::ranges(std::chrono::milliseconds timeout) const {
    std::vector<PartitionRange> result;
    for (const auto& [topic, partition] : impl_->partitions) {
        PartitionRange range{topic, partition, 0, 0};
        if (const auto code = impl_->probe->query_watermark_offsets(topic, partition, &range.low,
                                                                    &range.high, millis(timeout));
            code != RdKafka::ERR_NO_ERROR) {
            throw KafkaError("offsets of " + topic + "/" + std::to_string(partition) + ": " +
                             RdKafka::err2str(code));
        }
        result.push_back(range);
    }
    return result;
}

}  // namespace ordersource::kafka
