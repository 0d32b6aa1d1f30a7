#pragma once
// Money is an integer count of minor units (cents) and a currency; never floating point.
// On the wire it is a decimal string with at most two decimals ("49.99").

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ordersource::core {

class Cents {
  public:
    constexpr Cents() = default;
    constexpr explicit Cents(std::int64_t value) : value_(value) {}
    constexpr std::int64_t value() const { return value_; }
    constexpr auto operator<=>(const Cents&) const = default;
    constexpr Cents operator+(Cents other) const { return Cents(value_ + other.value_); }
    constexpr Cents operator-(Cents other) const { return Cents(value_ - other.value_); }
    constexpr Cents& operator+=(Cents other) {
        value_ += other.value_;
        return *this;
    }

  private:
    std::int64_t value_ = 0;
};

// Largest amount accepted anywhere: 10^13 - 1 cents (99,999,999,999.99), far below overflow
// even when 100 items of 1000 units are summed.
inline constexpr std::int64_t kMaxCents = 9'999'999'999'999;

// "0", "12", "12.3", "12.34" -> cents. Rejects signs, exponents, spaces, more than two
// decimals, leading '.', and amounts above kMaxCents.
std::optional<Cents> parse_decimal_amount(std::string_view text);

// 4999 -> "49.99", 5 -> "0.05", -120 -> "-1.20".
std::string format_decimal_amount(Cents amount);

// Three uppercase ASCII letters (ISO 4217 shape; the code itself is not checked).
bool is_currency_code(std::string_view text);

}  // namespace ordersource::core
