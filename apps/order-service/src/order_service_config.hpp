#pragma once
// Everything the order-service reads from its environment, validated at start-up.

#include <chrono>
#include <cstddef>
#include <string>

#include "ordersource/core/log.hpp"
#include "ordersource/http/server.hpp"
#include "ordersource/kafka/record.hpp"
#include "ordersource/pg/connection.hpp"

namespace ordersource::order {

struct OrderServiceConfig {
    http::ServerSettings http;
    pg::ConnectionSettings database;
    std::string store_schema = "order_service";
    kafka::Properties kafka;
    std::string consumer_group = "order-service";
    std::chrono::milliseconds payment_timeout{30000};
    std::chrono::milliseconds deadline_check_interval{250};
    // How often the deadline index is saved; a restart reads the store from the last save on.
    std::chrono::milliseconds deadline_snapshot_interval{10000};
    std::chrono::milliseconds shutdown_timeout{10000};
    std::size_t cached_orders = 100'000;  // folded order streams kept between batches (ADR 15)
    core::LogLevel log_level = core::LogLevel::kInfo;

    // Equal when every setting is (tests/unit/*_usage_test.cpp compare a default with --help).
    bool operator==(const OrderServiceConfig&) const = default;

    // Throws core::ConfigError naming the variable and what it allows.
    static OrderServiceConfig from_env();
};

const char* order_service_usage();

}  // namespace ordersource::order
