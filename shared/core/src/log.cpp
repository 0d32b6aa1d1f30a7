#include "ordersource/core/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "ordersource/core/config.hpp"

namespace ordersource::core {
namespace {

std::mutex service_mutex;
std::string service_name = "ordersource";
std::atomic<LogLevel> min_level{LogLevel::kInfo};

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kError:
            return "error";
    }
    return "unknown";
}

std::string utc_now_iso8601() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 32> buffer{};
    const auto length = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &utc);
    std::array<char, 8> fraction{};
    std::snprintf(fraction.data(), fraction.size(), ".%03dZ", static_cast<int>(millis));
    return std::string(buffer.data(), length) + fraction.data();
}

}  // namespace

void set_log_service(std::string service) {
    const std::lock_guard lock(service_mutex);
    service_name = std::move(service);
}

void set_log_level(LogLevel level) { min_level.store(level); }

LogLevel parse_log_level(std::string_view text) {
    if (text == "debug") return LogLevel::kDebug;
    if (text == "info") return LogLevel::kInfo;
    if (text == "warn") return LogLevel::kWarn;
    if (text == "error") return LogLevel::kError;
    throw ConfigError("log level '" + std::string(text) +
                      "' is not allowed: expected debug, info, warn or error");
}

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    std::array<char, 8> escaped{};
                    std::snprintf(escaped.data(), escaped.size(), "\\u%04x",
                                  static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += escaped.data();
                } else {
                    out += c;
                }
        }
    }
    return out;
}

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
    if (level < min_level.load()) {
        return;
    }
    std::string line = "{\"time\":\"" + utc_now_iso8601() + "\",\"level\":\"";
    line += level_name(level);
    {
        const std::lock_guard lock(service_mutex);
        line += "\",\"service\":\"" + json_escape(service_name);
    }
    line += "\",\"message\":\"" + json_escape(message) + "\"";
    for (const auto& [key, value] : fields) {
        line += ",\"" + json_escape(key) + "\":\"" + json_escape(value) + "\"";
    }
    line += "}\n";
    // One write per line: concurrent loggers never interleave inside a line.
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace ordersource::core
