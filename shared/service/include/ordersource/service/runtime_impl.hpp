#pragma once
// Template definitions of runtime.hpp.

#include <iostream>

#include "ordersource/core/config.hpp"

namespace ordersource::service {

template <typename Config, typename Read>
std::optional<Config> read_config(const char* name, Read read) {
    try {
        return read();
    } catch (const core::ConfigError& error) {
        std::cerr << name << ": " << error.what() << "\n";
        return std::nullopt;
    }
}

}  // namespace ordersource::service
