#include "ordersource/core/config.hpp"

#include <charconv>
#include <cstdlib>

namespace ordersource::core {

std::optional<std::string> env_value(std::string_view name) {
    const char* raw = std::getenv(std::string(name).c_str());
    if (raw == nullptr || *raw == '\0') {
        return std::nullopt;
    }
    return std::string(raw);
}

std::string env_string(std::string_view name, std::string_view fallback) {
    return env_value(name).value_or(std::string(fallback));
}

std::int64_t parse_int(std::string_view name, std::string_view text, std::int64_t min,
                       std::int64_t max) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value < min || value > max) {
        throw ConfigError(std::string(name) + "='" + std::string(text) +
                          "' is not allowed: expected an integer from " + std::to_string(min) +
                          " to " + std::to_string(max));
    }
    return value;
}

std::int64_t env_int(std::string_view name, std::int64_t fallback, std::int64_t min,
                     std::int64_t max) {
    const auto raw = env_value(name);
    return raw ? parse_int(name, *raw, min, max) : fallback;
}

}  // namespace ordersource::core
