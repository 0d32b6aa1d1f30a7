#pragma once
// Everything the payment-service reads from its environment, validated at start-up.

#include <chrono>
#include <cstddef>
#include <string>

#include "ordersource/core/log.hpp"
#include "ordersource/core/money.hpp"
#include "ordersource/http/server.hpp"
#include "ordersource/kafka/record.hpp"
#include "ordersource/pg/connection.hpp"

namespace ordersource::payment {

struct PaymentServiceConfig {
    http::ServerSettings http;
    pg::ConnectionSettings database;
    std::string store_schema = "payment_service";
    kafka::Properties kafka;
    std::string consumer_group = "payment-service";
    core::Cents credit_limit{100000};
    double decline_rate = 0;
    std::chrono::milliseconds delay{0};
    std::chrono::milliseconds shutdown_timeout{10000};
    std::size_t cached_accounts = 100'000;  // folded account streams kept (ADR 15)
    std::int64_t snapshot_every = 100;      // events between account snapshots; 0: none (ADR 22)
    core::LogLevel log_level = core::LogLevel::kInfo;

    // Equal when every setting is (tests/unit/*_usage_test.cpp compare a default with --help).
    bool operator==(const PaymentServiceConfig&) const = default;

    // Throws core::ConfigError naming the variable and what it allows.
    static PaymentServiceConfig from_env();
};

const char* payment_service_usage();

}  // namespace ordersource::payment
