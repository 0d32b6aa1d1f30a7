#pragma once
// Plain data crossing the Kafka adapter's boundary; no librdkafka type leaves the library.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ordersource::kafka {

// librdkafka configuration properties ("bootstrap.servers", "group.id", ...).
using Properties = std::map<std::string, std::string>;

struct Header {
    std::string key;
    std::string value;
    bool operator==(const Header&) const = default;
};

struct OutgoingRecord {
    std::string topic;
    std::string key;
    std::string value;
    std::vector<Header> headers{};
};

struct Record {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
    std::vector<Header> headers;
    std::int64_t timestamp_ms = 0;

    // The first header with this key, if any.
    std::optional<std::string_view> header(std::string_view key) const;
};

// An expected failure reported by the broker or the client (see docs/adr/0003-errors.md).
struct Error {
    std::string code;     // librdkafka's error name, e.g. "_MSG_TIMED_OUT"
    std::string message;  // human-readable reason
    bool retryable = false;
    bool fatal = false;
};

// "Everything up to and including `offset` of this partition is processed."
struct ProcessedOffset {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
};

struct DeliveryReport {
    std::optional<Error> error;  // empty = acknowledged by the broker
    std::int32_t partition = -1;
    std::int64_t offset = -1;
};

}  // namespace ordersource::kafka
