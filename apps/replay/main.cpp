// replay: inspect an order's stream and rebuild projections. Only wiring; see src/.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "order_timeline.hpp"
#include "order_views_replay.hpp"
#include "ordersource/core/config.hpp"
#include "ordersource/core/log.hpp"
#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/kafka/client_config.hpp"
#include "replay_options.hpp"

using namespace ordersource;

namespace {

constexpr int kDifferences = 1;
constexpr int kUsage = 2;
constexpr int kFailed = 3;

int show_order(const replay::ShowOrder& command) {
    const auto database =
        pg::ConnectionSettings::from_env("ORDER_SERVICE_PG_DATABASE", "order_service");
    const eventstore::PostgresEventStore store(database, replay::kOrderServiceStoreSchema);
    const auto steps = replay::order_timeline(store, command.order_id);
    if (steps.empty()) {
        std::cerr << "replay: no events for order " << command.order_id << " in "
                  << database.describe() << "\n";
        return kDifferences;
    }
    std::cout << replay::render(steps);
    return 0;
}

// On a terminal: one updating line with events, events/s and ETA.
void print_progress(const replay::ReplayProgress& progress) {
    static auto last = std::chrono::steady_clock::time_point{};
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(500)) return;
    last = now;
    const double rate =
        progress.seconds > 0 ? static_cast<double>(progress.applied) / progress.seconds : 0;
    const double eta = rate > 0 ? static_cast<double>(progress.total - progress.applied) / rate : 0;
    std::fprintf(stderr, "\r%lld/%lld events, %.0f events/s, ETA %.0f s   ",
                 static_cast<long long>(progress.applied), static_cast<long long>(progress.total),
                 rate, eta);
}

int rebuild_projection(const replay::RebuildProjection& command) {
    const auto database = pg::ConnectionSettings::from_env("GATEWAY_PG_DATABASE", "gateway");
    const auto kafka = kafka::properties_from_env();
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const auto store_database =
        pg::ConnectionSettings::from_env("ORDER_SERVICE_PG_DATABASE", "order_service");
    const auto report = replay::replay_order_views(
        command, database, kafka, store_database,
        terminal ? std::function<void(const replay::ReplayProgress&)>(print_progress) : nullptr);
    if (terminal) std::fprintf(stderr, "\n");
    const double rate =
        report.seconds > 0 ? static_cast<double>(report.applied) / report.seconds : 0;
    if (command.dry_run) {
        std::printf(
            "%s read and folded, nothing written (dry run): %lld events in %.1f s "
            "(%.0f events/s)\n",
            command.name.c_str(), static_cast<long long>(report.applied), report.seconds, rate);
        return 0;
    }
    if (command.verify) {
        for (const auto& difference : report.differences) std::cout << difference << "\n";
        std::printf("%s verified: %lld events replayed in %.1f s, %zu differences\n",
                    command.name.c_str(), static_cast<long long>(report.applied), report.seconds,
                    report.differences.size());
        return report.differences.empty() ? 0 : kDifferences;
    }
    std::printf("%s rebuilt and swapped in: %lld events in %.1f s (%.0f events/s)%s\n",
                command.name.c_str(), static_cast<long long>(report.applied), report.seconds, rate,
                report.resumed_from > 0
                    ? (", resumed after " + std::to_string(report.resumed_from) + " events").c_str()
                    : "");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    const auto command = replay::parse_replay_command(arguments);
    try {
        core::set_log_level(core::LogLevel::kWarn);
        if (const auto* usage = std::get_if<replay::UsageError>(&command)) {
            std::cerr << "replay: " << usage->message << "\n\n" << replay::replay_usage();
            return kUsage;
        }
        if (std::holds_alternative<replay::ShowHelp>(command)) {
            std::cout << replay::replay_usage();
            return 0;
        }
        if (std::holds_alternative<replay::ShowVersion>(command)) {
            std::cout << "replay " << ORDERSOURCE_VERSION << "\n";
            return 0;
        }
        if (const auto* order = std::get_if<replay::ShowOrder>(&command)) return show_order(*order);
        return rebuild_projection(std::get<replay::RebuildProjection>(command));
    } catch (const core::ConfigError& error) {
        std::cerr << "replay: " << error.what() << "\n";
        return kUsage;
    } catch (const std::exception& error) {
        std::cerr << "replay: " << error.what() << "\n";
        return kFailed;
    }
}
