#pragma once
// One JSON object per line on stderr: time, level, service, message and any fields given.
// Thread-safe; a line is written with a single write() so lines never interleave.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ordersource::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string_view>;

void set_log_service(std::string service);
void set_log_level(LogLevel level);
// "debug" | "info" | "warn" | "error"; anything else throws ConfigError.
LogLevel parse_log_level(std::string_view text);

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

// Escapes text for inclusion inside a JSON string literal.
std::string json_escape(std::string_view text);

}  // namespace ordersource::core
