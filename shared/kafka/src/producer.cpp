#include "ordersource/kafka/producer.hpp"

#include <atomic>
#include <future>
#include <thread>

#include "ordersource/core/thread_name.hpp"
#include "rdkafka_util.hpp"

namespace ordersource::kafka {
namespace {

constexpr std::chrono::milliseconds kPollInterval{50};
constexpr std::chrono::milliseconds kCloseFlushTimeout{10'000};

class DeliveryReportRouter final : public RdKafka::DeliveryReportCb {
  public:
    void dr_cb(RdKafka::Message& message) override {
        // The opaque is the heap-allocated callback produce() handed to librdkafka.
        std::unique_ptr<Producer::DeliveryCallback> callback(
            static_cast<Producer::DeliveryCallback*>(message.msg_opaque()));
        DeliveryReport report;
        if (message.err() != RdKafka::ERR_NO_ERROR) {
            report.error = detail::to_error(message.err(), message.errstr());
        } else {
            report.partition = message.partition();
            report.offset = message.offset();
        }
        if (callback && *callback) {
            (*callback)(report);
        }
    }
};

}  // namespace

struct Producer::Impl {
    DeliveryReportRouter delivery_router;
    detail::LogEventCallback event_logger;
    std::unique_ptr<RdKafka::Producer> handle;
    std::atomic<bool> stopping{false};
    std::thread poll_thread;
};

Producer::Producer(const Properties& config) : impl_(std::make_unique<Impl>()) {
    Properties effective{
        {"linger.ms", "1"},
        {"message.timeout.ms", "30000"},
        {"partitioner", "murmur2_random"},
    };
    for (const auto& [name, value] : config) {
        effective[name] = value;
    }
    // Safety properties are not negotiable: at-least-once without reordering or duplicates
    // from retries (ARCHITECTURE.md principle 4).
    effective["enable.idempotence"] = "true";
    effective["acks"] = "all";

    auto conf = detail::make_conf(effective);
    std::string error;
    if (conf->set("dr_cb", &impl_->delivery_router, error) != RdKafka::Conf::CONF_OK ||
        conf->set("event_cb", &impl_->event_logger, error) != RdKafka::Conf::CONF_OK) {
        throw KafkaError("Kafka producer callbacks: " + error);
    }
    impl_->handle.reset(RdKafka::Producer::create(conf.get(), error));
    if (!impl_->handle) {
        throw KafkaError("cannot create Kafka producer: " + error);
    }
    impl_->poll_thread = std::thread([impl = impl_.get()] {
        core::name_this_thread("kafka-delivery");  // the delivery callbacks run here
        while (!impl->stopping.load()) {
            impl->handle->poll(static_cast<int>(kPollInterval.count()));
        }
    });
}

Producer::~Producer() {
    if (!flush(kCloseFlushTimeout)) {
        const auto left = std::to_string(in_flight());
        core::log(core::LogLevel::kError, "kafka producer closed with undelivered records",
                  {{"undelivered", left}});
        purge();
        flush(std::chrono::milliseconds(1000));
    }
    impl_->stopping.store(true);
    impl_->poll_thread.join();
    // Serve the callbacks of anything purged after the poll thread stopped.
    impl_->handle->poll(0);
}

std::optional<Error> Producer::produce(const OutgoingRecord& record,
                                       DeliveryCallback on_delivered) {
    std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
    for (const auto& header : record.headers) {
        headers->add(header.key, header.value);
    }
    auto callback = std::make_unique<DeliveryCallback>(std::move(on_delivered));
    // RK_MSG_COPY: the caller's buffers may go away as soon as this returns.
    const auto code = impl_->handle->produce(
        record.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(record.value.data()), record.value.size(),  // NOLINT: copied
        record.key.data(), record.key.size(), 0, headers.get(), callback.get());
    if (code != RdKafka::ERR_NO_ERROR) {
        return detail::to_error(code, "produce to " + record.topic);
    }
    // librdkafka owns both now: the headers with the message, the callback until dr_cb.
    static_cast<void>(headers.release());
    static_cast<void>(callback.release());
    return std::nullopt;
}

DeliveryReport Producer::produce_and_wait(const OutgoingRecord& record) {
    auto promise = std::make_shared<std::promise<DeliveryReport>>();
    auto future = promise->get_future();
    if (auto error = produce(
            record, [promise](const DeliveryReport& report) { promise->set_value(report); })) {
        return DeliveryReport{.error = std::move(error)};
    }
    return future.get();
}

bool Producer::flush(std::chrono::milliseconds timeout) {
    return impl_->handle->flush(static_cast<int>(timeout.count())) == RdKafka::ERR_NO_ERROR &&
           in_flight() == 0;
}

void Producer::purge() {
    impl_->handle->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
}

int Producer::in_flight() const {
    return impl_->handle->outq_len();
}

bool Producer::broker_reachable(std::chrono::milliseconds timeout) const {
    RdKafka::Metadata* metadata = nullptr;
    const auto code =
        impl_->handle->metadata(false, nullptr, &metadata, static_cast<int>(timeout.count()));
    delete metadata;  // librdkafka hands over ownership
    return code == RdKafka::ERR_NO_ERROR;
}

}  // namespace ordersource::kafka
