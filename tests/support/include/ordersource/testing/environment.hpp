#pragma once
// What every integration test needs: unique names (so tests never see each other's topics,
// groups or schemas) and the addresses scripts/test exported.

#include <chrono>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include "ordersource/core/config.hpp"

namespace ordersource::testing {

// "<prefix>-<16 hex digits>", unique per call.
inline std::string unique_name(std::string_view prefix) {
    static thread_local std::mt19937_64 generator{std::random_device{}()};
    constexpr std::string_view kHex = "0123456789abcdef";
    std::string name(prefix);
    name += '-';
    auto bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) {
        name += kHex[bits & 0xf];
    }
    return name;
}

inline std::string kafka_bootstrap() {
    return core::env_string("ORDERSOURCE_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
}

inline std::string source_dir() {
    return ORDERSOURCE_SOURCE_DIR;
}

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
template <typename Condition>
bool eventually(Condition condition,
                std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(interval);
    }
    return true;
}

}  // namespace ordersource::testing
