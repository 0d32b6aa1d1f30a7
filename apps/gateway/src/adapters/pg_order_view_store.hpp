#pragma once
// The gateway's order read model in its PostgreSQL database: disposable tables derived from
// events (order_summaries, order_history), applied idempotently by event id.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/ports.hpp"
#include "ordersource/pg/connection.hpp"

namespace soci {
class connection_pool;
}

namespace ordersource::gateway {

class SummaryCache;

class PgOrderViewStore final : public OrderViewWriter, public OrderQueries {
  public:
    // Ten seconds of orders at 2,000/s: an order's outcome lands within a second or two of its
    // creation. A row costs about 0.5 KiB (20,000 added 10-12 MiB to the gateway's peak RSS).
    static constexpr std::size_t kDefaultCachedSummaries = 20'000;

    // Connects and creates the tables if missing (under an advisory lock), in `schema` if one
    // is named (created if missing; tests use their own), else in the search path's first.
    // `cached_summaries`: how many summary rows it keeps to write without reading them back
    // (adapters/summary_cache.hpp; 0 reads every row).
    PgOrderViewStore(const pg::ConnectionSettings& settings,
                     std::size_t pool_size,
                     const std::string& schema = {},
                     std::size_t cached_summaries = kDefaultCachedSummaries);
    ~PgOrderViewStore() override;
    PgOrderViewStore(const PgOrderViewStore&) = delete;
    PgOrderViewStore& operator=(const PgOrderViewStore&) = delete;

    void apply(const std::vector<FeedChange>& batch) override;
    std::optional<OrderView> find(const std::string& order_id) override;
    OrderPage list(const OrderListQuery& query) override;
    // A round trip, for readiness.
    void ping();
    // How many summary rows are cached (for tests).
    std::size_t cached_summaries() const;

  private:
    std::unique_ptr<soci::connection_pool> pool_;
    mutable std::mutex applying_;  // guards the cache
    std::unique_ptr<SummaryCache> cache_;
};

}  // namespace ordersource::gateway
