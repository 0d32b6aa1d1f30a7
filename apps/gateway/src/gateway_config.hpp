#pragma once

#include <chrono>
#include <string>

#include "adapters/http_api.hpp"
#include "adapters/pg_order_view_store.hpp"
#include "ordersource/core/log.hpp"
#include "ordersource/kafka/record.hpp"
#include "ordersource/pg/connection.hpp"

namespace ordersource::gateway {

// Everything the gateway reads from its environment, validated; README "Configuration".
struct GatewayConfig {
    HttpSettings http;
    kafka::Properties kafka;
    pg::ConnectionSettings database;
    std::string read_model_group = "gateway-read-model";
    // Larger batches fold more of an order's events into one row write (ADR 23).
    std::chrono::milliseconds read_model_linger{250};
    std::size_t read_model_max_batch = 5000;
    // Summary rows written again without being read back first (ADR 28).
    std::size_t read_model_cached_rows = PgOrderViewStore::kDefaultCachedSummaries;
    // Idempotency-Key claims sharing a commit (ADR 10, ADR 24).
    std::chrono::microseconds claim_linger{2000};
    core::LogLevel log_level = core::LogLevel::kInfo;
    std::chrono::milliseconds shutdown_timeout{10'000};

    // Equal when every setting is (tests/unit/*_usage_test.cpp compare a default with --help).
    bool operator==(const GatewayConfig&) const = default;

    // Throws core::ConfigError naming the variable and what is allowed.
    static GatewayConfig from_env();
};

// The --help text: every variable with its default.
const char* gateway_usage();

}  // namespace ordersource::gateway
