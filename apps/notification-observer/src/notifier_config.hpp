#pragma once
// Everything the notification observer reads from its environment, validated at start-up.

#include <chrono>
#include <string>

#include "ordersource/core/log.hpp"
#include "ordersource/http/server.hpp"
#include "ordersource/kafka/record.hpp"
#include "ordersource/pg/connection.hpp"

namespace ordersource::notifier {

struct NotifierConfig {
    http::ServerSettings http;
    pg::ConnectionSettings database;
    kafka::Properties kafka;
    std::string consumer_group = "notification-observer";
    // Fewer, larger transactions (ADR 23).
    std::chrono::milliseconds batch_linger{250};
    std::size_t max_batch = 5000;
    std::string topic_pattern = "^(order|payment)-.+";
    core::LogLevel log_level = core::LogLevel::kInfo;

    // Equal when every setting is (tests/unit/*_usage_test.cpp compare a default with --help).
    bool operator==(const NotifierConfig&) const = default;

    // Throws core::ConfigError naming the variable and what it allows.
    static NotifierConfig from_env();
};

const char* notifier_usage();

}  // namespace ordersource::notifier
