#pragma once
// The JSON envelope every event travels in (proto/envelope.v1.schema.json), and validation
// of envelopes and payloads against the schemas in proto/ (compiled into this library).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ordersource::contracts {

struct Envelope {
    std::string event_id;
    std::string type;
    int schema_version = 1;
    std::string stream_id;
    std::int64_t stream_version = 0;
    std::string occurred_at;  // RFC 3339 UTC
    std::string correlation_id;
    std::string causation_id;
    std::string payload_json;  // a JSON object, valid against <type>.v<schema_version>
};

// Why a message does not satisfy the contract; goes into dead-letter headers verbatim.
struct ContractViolation {
    std::string reason;
};

// Serialises the envelope; the payload is embedded as is (it must already be valid JSON).
std::string to_json(const Envelope& envelope);

// Parses `json`, checks it against the envelope schema and its payload against the schema of
// its type and version. Unknown types and versions are violations.
std::variant<Envelope, ContractViolation> parse_envelope(std::string_view json);

// Checks a payload against <type>.v<version>; nullopt when valid.
std::optional<ContractViolation> validate_payload(std::string_view type,
                                                  int version,
                                                  std::string_view payload_json);

// The envelope's facts as Kafka headers, so kafka-console-consumer --property
// print.headers=true tells the whole story: event-id, event-type, schema-version, stream-id,
// stream-version, correlation-id, causation-id, content-type.
std::vector<std::pair<std::string, std::string>> kafka_headers(const Envelope& envelope);

// "2026-11-24T18:34:00.123Z" for a count of milliseconds since the epoch.
std::string format_rfc3339_millis(std::int64_t epoch_millis);
// The inverse, for any RFC 3339 time with 'Z' or a numeric offset; sub-millisecond digits are
// truncated. nullopt when `text` is not such a time.
std::optional<std::int64_t> parse_rfc3339_millis(std::string_view text);
// Whether `text` is exactly what format_rfc3339_millis writes for the time it names (so a
// reader that normalises times can keep it as it is).
bool is_canonical_rfc3339_millis(std::string_view text);

}  // namespace ordersource::contracts
