#pragma once
// The replay tool's command line, parsed: pure, argv in, what to do or why not.

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

namespace ordersource::replay {

// `replay order <orderId>`: the order's state after each event of its stream.
struct ShowOrder {
    std::string order_id;
};

// Where a rebuild reads the events: the topics the gateway projects, or the order-service's
// event store (for orders Kafka's retention has deleted; ADR 14).
enum class EventSource { kKafka, kStore };

// `replay projections [--name order-views] [--from kafka|store] [--verify] [--fresh]
//  [--batch N] [--dry-run]`
struct RebuildProjection {
    std::string name = "order-views";
    EventSource source = EventSource::kKafka;
    bool verify = false;
    bool fresh = false;  // ignore a checkpoint left by a killed rebuild
    // Read and fold the store without writing anything (what a rebuild's reading costs).
    bool dry_run = false;
    // Events per transaction; from the store larger batches fold more in memory and write
    // with fewer statements (ADR 16).
    std::size_t batch = kKafkaBatch;

    static constexpr std::size_t kKafkaBatch = 500;
    static constexpr std::size_t kStoreBatch = 20000;
};

struct ShowHelp {};
struct ShowVersion {};

struct UsageError {
    std::string message;
};

using ReplayCommand = std::variant<ShowOrder, RebuildProjection, ShowHelp, ShowVersion, UsageError>;

ReplayCommand parse_replay_command(const std::vector<std::string>& arguments);

const char* replay_usage();

}  // namespace ordersource::replay
