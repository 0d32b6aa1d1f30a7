#include "ordersource/kafka/client_config.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "ordersource/core/config.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace ordersource::kafka {

std::optional<std::string_view> Record::header(std::string_view wanted) const {
    const auto it = std::find_if(headers.begin(), headers.end(),
                                 [&](const Header& h) { return h.key == wanted; });
    if (it == headers.end()) {
        return std::nullopt;
    }
    return std::string_view(it->value);
}

Properties properties_from_env() {
    Properties properties{
        {"bootstrap.servers", core::env_string("ORDERSOURCE_KAFKA_BOOTSTRAP", "127.0.0.1:9092")}};
    constexpr std::string_view kPrefix = "ORDERSOURCE_RDKAFKA_";
    // environ is null after clearenv(), not an empty list.
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view assignment(*entry);
        const auto equals = assignment.find('=');
        if (!assignment.starts_with(kPrefix) || equals == std::string_view::npos) {
            continue;
        }
        std::string name(assignment.substr(kPrefix.size(), equals - kPrefix.size()));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
            return c == '_' ? '.' : static_cast<char>(std::tolower(c));
        });
        properties[name] = std::string(assignment.substr(equals + 1));
    }
    return properties;
}

bool is_secret_property(std::string_view name) {
    return name.find("password") != std::string_view::npos ||
           name.find("secret") != std::string_view::npos ||
           name.find("key") != std::string_view::npos;
}

}  // namespace ordersource::kafka
