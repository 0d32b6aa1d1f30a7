#pragma once
// Configuration comes from environment variables with documented defaults. A bad value is
// a ConfigError naming the variable and what is allowed; main() turns it into exit code 2.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ordersource::core {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The raw value, or nullopt when unset or empty.
std::optional<std::string> env_value(std::string_view name);

std::string env_string(std::string_view name, std::string_view fallback);

// An integer in [min, max]; anything else (garbage, trailing characters, out of range)
// throws ConfigError.
std::int64_t env_int(std::string_view name, std::int64_t fallback, std::int64_t min,
                     std::int64_t max);

// Parses like env_int, for values that arrive as text from elsewhere (tests use it directly).
std::int64_t parse_int(std::string_view name, std::string_view text, std::int64_t min,
                       std::int64_t max);

}  // namespace ordersource::core
