#include "ordersource/eventstore/types.hpp"

#include <type_traits>

namespace ordersource::eventstore {

std::string to_string(const ExpectedVersion& expected) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Any>) {
                return "any";
            } else if constexpr (std::is_same_v<T, NoStream>) {
                return "no stream";
            } else {
                return "exactly " + std::to_string(value.version.value());
            }
        },
        expected);
}

std::string describe(const AppendOutcome& outcome) {
    return std::visit(
        [](const auto& value) -> std::string {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, AppendResult>) {
                return "appended versions " + std::to_string(value.first_version.value()) + ".." +
                       std::to_string(value.last_version.value()) + " at positions " +
                       std::to_string(value.first_position.value()) + ".." +
                       std::to_string(value.last_position.value());
            } else if constexpr (std::is_same_v<T, ConcurrencyConflict>) {
                return "concurrency conflict on stream '" + value.stream.value() + "': expected " +
                       to_string(value.expected) + ", actual version " +
                       std::to_string(value.actual.value());
            } else {
                return "invalid input: " + value.reason;
            }
        },
        outcome);
}

}  // namespace ordersource::eventstore
