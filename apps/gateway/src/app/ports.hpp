#pragma once
// What the gateway's use case needs from the outside world; adapters implement these.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/order_list_query.hpp"
#include "domain/order_view.hpp"
#include "ordersource/contracts/envelope.hpp"

namespace ordersource::gateway {

struct IdempotencyRecord {
    std::string order_id;
    std::string fingerprint;  // canonical form of the request body
};

class IdempotencyStore {
  public:
    // The record stored under the key now (the proposed one, or an earlier one), or why the
    // claim failed (infrastructure).
    using Claimed = std::variant<IdempotencyRecord, std::string>;
    virtual ~IdempotencyStore() = default;
    // Stores key -> proposed unless the key is already stored, atomically across gateway
    // instances, and calls `done` exactly once with the outcome - possibly on another thread,
    // possibly before returning. Never blocks the caller on the database.
    virtual void claim(std::string key,
                       IdempotencyRecord proposed,
                       std::function<void(Claimed)> done) = 0;
};

class EventPublisher {
  public:
    // nullopt when the broker acknowledged the event (acks=all), else the reason.
    using Completion = std::function<void(const std::optional<std::string>& error)>;
    virtual ~EventPublisher() = default;
    // Calls `done` exactly once, possibly on another thread, possibly before returning.
    virtual void publish(std::string_view topic,
                         std::string_view key,
                         const contracts::Envelope& envelope,
                         Completion done) = 0;
};

// The order read model (domain/order_view.hpp): written by the projector, read by GET.
// Where a change came from in the Kafka feed; the projection stores it with the change.
struct FeedPosition {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
};

// One record of the feed and what it changes in the views (nothing, for most payment events).
struct FeedChange {
    std::optional<OrderViewChange> change;
    FeedPosition position;
};

class OrderViewWriter {
  public:
    virtual ~OrderViewWriter() = default;
    // Applies the changes in order and records every position as consumed, all in one
    // transaction; applying a change again changes nothing. Throws on failure.
    virtual void apply(const std::vector<FeedChange>& batch) = 0;
};

class OrderQueries {
  public:
    virtual ~OrderQueries() = default;
    // nullopt when no event of the order was seen. Throws on infrastructure failure.
    virtual std::optional<OrderView> find(const std::string& order_id) = 0;
    // One keyset page, newest first. Throws on infrastructure failure.
    virtual OrderPage list(const OrderListQuery& query) = 0;
};

class Clock {
  public:
    virtual ~Clock() = default;
    virtual std::int64_t now_epoch_millis() const = 0;
};

}  // namespace ordersource::gateway
