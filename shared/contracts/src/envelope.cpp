#include "ordersource/contracts/envelope.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "ordersource/contracts/payload_validation.hpp"
#include "ordersource/contracts/pooled_json.hpp"
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

std::string format_rfc3339_millis_slowly(std::int64_t epoch_millis) {
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

constexpr std::int64_t kMillisPerDay = 86'400'000;

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
    const auto quotient = value / divisor;
    return quotient * divisor > value ? quotient - 1 : quotient;
}

// Proleptic Gregorian dates to and from days since 1970-01-01 (H. Hinnant's algorithms).
struct CivilDate {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned shifted_month = month > 2 ? month - 3 : month + 9;  // March = 0
    const unsigned day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    const unsigned day_of_era =
        year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
    const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int digits_at(std::string_view text, std::size_t at, std::size_t count) {
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

bool is_leap_year(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ", what format_rfc3339_millis writes; nullopt for any other text.
std::optional<std::int64_t> canonical_epoch_millis(std::string_view text) {
    if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
        return std::nullopt;
    }
    const int year = digits_at(text, 0, 4), month = digits_at(text, 5, 2);
    const int day = digits_at(text, 8, 2), hour = digits_at(text, 11, 2);
    const int minute = digits_at(text, 14, 2), second = digits_at(text, 17, 2);
    const int millis = digits_at(text, 20, 3);
    // The general parser's bounds (a leap second included; day 31 of a shorter month rolls
    // over, as timegm rolls it).
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60 || millis < 0) {
        return std::nullopt;
    }
    const auto days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    return days * kMillisPerDay + ((hour * 60LL + minute) * 60 + second) * 1000 + millis;
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
    const PooledJson parsed(json);
    if (!parsed.parsed()) {
        return ContractViolation{"not valid JSON (offset " + std::to_string(parsed.error_offset()) +
                                 ")"};
    }
    const auto& document = parsed.value();
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
    const PooledJson payload(payload_json);
    if (!payload.parsed()) {
        return ContractViolation{"payload is not valid JSON"};
    }
    return validate_payload(type, version, payload.value());
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
    // Digits by hand: gmtime_r + strftime + snprintf were a twentieth of the replay tool's
    // CPU (perf), called once per event by every reader of an event store (ADR 16).
    const auto days = floor_div(epoch_millis, kMillisPerDay);
    auto in_day = epoch_millis - days * kMillisPerDay;
    const auto date = civil_from_days(days);
    if (date.year < 0 || date.year > 9999) return format_rfc3339_millis_slowly(epoch_millis);
    std::array<char, 24> text{};
    const auto put = [&text](std::size_t at, std::int64_t value, std::size_t width) {
        for (std::size_t i = width; i-- > 0; value /= 10) {
            text[at + i] = static_cast<char>('0' + value % 10);
        }
    };
    put(0, date.year, 4);
    put(5, date.month, 2);
    put(8, date.day, 2);
    put(20, in_day % 1000, 3);
    in_day /= 1000;
    put(17, in_day % 60, 2);
    put(14, in_day / 60 % 60, 2);
    put(11, in_day / 3600, 2);
    text[4] = text[7] = '-';
    text[10] = 'T';
    text[13] = text[16] = ':';
    text[19] = '.';
    text[23] = 'Z';
    return std::string(text.data(), text.size());
}

}  // namespace ordersource::contracts

namespace ordersource::contracts {

std::optional<std::int64_t> parse_rfc3339_millis(std::string_view text) {
    // What this project writes, without sscanf/timegm (ADR 16); every other form below.
    if (const auto canonical = canonical_epoch_millis(text)) return canonical;
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

bool is_canonical_rfc3339_millis(std::string_view text) {
    if (!canonical_epoch_millis(text)) return false;
    // What would roll over (day 31 of a shorter month, a leap second) is not written so.
    const int year = digits_at(text, 0, 4), month = digits_at(text, 5, 2);
    return digits_at(text, 8, 2) <= days_in_month(year, month) && digits_at(text, 17, 2) < 60;
}

}  // namespace ordersource::contracts
