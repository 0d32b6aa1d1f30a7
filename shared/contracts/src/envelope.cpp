#include "ordersource/contracts/envelope.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "ordersource/contracts/payload_validation.hpp"
#include "schema_registry.hpp"

namespace ordersource::contracts {
namespace {

using detail::SchemaRegistry;

std::string payload_error(std::string_view type, int version, const rapidjson::Value& payload) {
    const auto* schema = SchemaRegistry::instance().find(type, version);
    if (schema == nullptr) {
        return "unknown event type " + std::string(type) + " v" + std::to_string(version);
    }
    return detail::validation_error(*schema, payload, "payload");
}

}  // namespace

std::string to_json(const Envelope& envelope) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("eventId");
    writer.String(envelope.event_id);
    writer.Key("type");
    writer.String(envelope.type);
    writer.Key("schemaVersion");
    writer.Int(envelope.schema_version);
    writer.Key("streamId");
    writer.String(envelope.stream_id);
    writer.Key("streamVersion");
    writer.Int64(envelope.stream_version);
    writer.Key("occurredAt");
    writer.String(envelope.occurred_at);
    writer.Key("correlationId");
    writer.String(envelope.correlation_id);
    writer.Key("causationId");
    writer.String(envelope.causation_id);
    writer.Key("payload");
    writer.RawValue(envelope.payload_json.data(), envelope.payload_json.size(),
                    rapidjson::kObjectType);
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::variant<Envelope, ContractViolation> parse_envelope(std::string_view json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError()) {
        return ContractViolation{"not valid JSON (offset " +
                                 std::to_string(document.GetErrorOffset()) + ")"};
    }
    const auto* envelope_schema = SchemaRegistry::instance().find("envelope", 1);
    if (auto error = detail::validation_error(*envelope_schema, document, "envelope");
        !error.empty()) {
        return ContractViolation{std::move(error)};
    }
    // The schema guarantees every member below exists with the right type.
    Envelope envelope;
    envelope.event_id = document["eventId"].GetString();
    envelope.type = document["type"].GetString();
    envelope.schema_version = document["schemaVersion"].GetInt();
    envelope.stream_id = document["streamId"].GetString();
    envelope.stream_version = document["streamVersion"].GetInt64();
    envelope.occurred_at = document["occurredAt"].GetString();
    envelope.correlation_id = document["correlationId"].GetString();
    envelope.causation_id = document["causationId"].GetString();
    const auto& payload = document["payload"];
    if (auto error = payload_error(envelope.type, envelope.schema_version, payload);
        !error.empty()) {
        return ContractViolation{std::move(error)};
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    payload.Accept(writer);
    envelope.payload_json.assign(buffer.GetString(), buffer.GetSize());
    return envelope;
}

std::optional<ContractViolation> validate_payload(std::string_view type,
                                                  int version,
                                                  std::string_view payload_json) {
    rapidjson::Document document;
    document.Parse(payload_json.data(), payload_json.size());
    if (document.HasParseError()) {
        return ContractViolation{"payload is not valid JSON"};
    }
    return validate_payload(type, version, document);
}

std::optional<ContractViolation> validate_payload(std::string_view type,
                                                  int version,
                                                  const rapidjson::Value& payload) {
    if (auto error = payload_error(type, version, payload); !error.empty()) {
        return ContractViolation{std::move(error)};
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> kafka_headers(const Envelope& envelope) {
    return {{"event-id", envelope.event_id},
            {"event-type", envelope.type},
            {"schema-version", std::to_string(envelope.schema_version)},
            {"stream-id", envelope.stream_id},
            {"stream-version", std::to_string(envelope.stream_version)},
            {"correlation-id", envelope.correlation_id},
            {"causation-id", envelope.causation_id},
            {"content-type", "application/json"}};
}

std::string format_rfc3339_millis(std::int64_t epoch_millis) {
    const auto seconds = static_cast<std::time_t>(epoch_millis / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 40> text{};
    const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc);
    std::array<char, 8> fraction{};
    std::snprintf(fraction.data(), fraction.size(), ".%03dZ",
                  static_cast<int>(epoch_millis % 1000));
    return std::string(text.data(), length) + fraction.data();
}

}  // namespace ordersource::contracts

namespace ordersource::contracts {

std::optional<std::int64_t> parse_rfc3339_millis(std::string_view text) {
    // "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)"
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    const std::string copy(text);
    int consumed = 0;
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                    &second, &consumed) != 6 ||
        consumed != 19) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    std::size_t at = 19;
    std::int64_t millis = 0;
    if (at < copy.size() && copy[at] == '.') {
        ++at;
        int digits = 0;
        while (at < copy.size() && std::isdigit(static_cast<unsigned char>(copy[at]))) {
            if (digits < 3) millis = millis * 10 + (copy[at] - '0');
            ++digits;
            ++at;
        }
        if (digits == 0 || digits > 9) return std::nullopt;
        for (int d = digits; d < 3; ++d) millis *= 10;
    }
    std::int64_t offset_seconds = 0;
    if (at < copy.size() && (copy[at] == 'Z' || copy[at] == 'z') && at + 1 == copy.size()) {
        offset_seconds = 0;
    } else if (at + 6 == copy.size() && (copy[at] == '+' || copy[at] == '-') &&
               copy[at + 3] == ':') {
        int offset_hours = 0, offset_minutes = 0;
        if (std::sscanf(copy.c_str() + at + 1, "%2d:%2d", &offset_hours, &offset_minutes) != 2) {
            return std::nullopt;
        }
        offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (copy[at] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    std::tm utc{};
    utc.tm_year = year - 1900;
    utc.tm_mon = month - 1;
    utc.tm_mday = day;
    utc.tm_hour = hour;
    utc.tm_min = minute;
    utc.tm_sec = second;
    const std::time_t seconds = timegm(&utc);
    return (static_cast<std::int64_t>(seconds) - offset_seconds) * 1000 + millis;
}

}  // namespace ordersource::contracts
