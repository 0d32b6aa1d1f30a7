#include "ordersource/core/money.hpp"

#include <cstdlib>

namespace ordersource::core {

std::optional<Cents> parse_decimal_amount(std::string_view text) {
    const auto dot = text.find('.');
    const auto whole = text.substr(0, dot);
    const auto fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (whole.empty() || whole.size() > 11 ||
        (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 2))) {
        return std::nullopt;
    }
    std::int64_t cents = 0;
    for (const char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        cents = cents * 10 + (c - '0');
    }
    for (std::size_t i = 0; i < 2; ++i) {
        const char c = i < fraction.size() ? fraction[i] : '0';
        if (c < '0' || c > '9') return std::nullopt;
        cents = cents * 10 + (c - '0');
    }
    if (cents > kMaxCents) return std::nullopt;
    return Cents(cents);
}

std::string format_decimal_amount(Cents amount) {
    const auto value = amount.value();
    const auto magnitude = static_cast<std::uint64_t>(value < 0 ? -value : value);
    std::string fraction = std::to_string(magnitude % 100);
    if (fraction.size() < 2) fraction.insert(0, "0");
    return (value < 0 ? "-" : "") + std::to_string(magnitude / 100) + "." + fraction;
}

bool is_currency_code(std::string_view text) {
    if (text.size() != 3) return false;
    for (const char c : text) {
        if (c < 'A' || c > 'Z') return false;
    }
    return true;
}

}  // namespace ordersource::core
