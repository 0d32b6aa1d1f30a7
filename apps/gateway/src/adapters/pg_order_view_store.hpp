#pragma once
// The gateway's order read model in its PostgreSQL database: disposable tables derived from
// events (order_summaries, order_history), applied idempotently by event id.

#include <memory>
#include <optional>
#include <string>

#include "app/ports.hpp"
#include "ordersource/pg/connection.hpp"

namespace soci {
class connection_pool;
}

namespace ordersource::gateway {

class PgOrderViewStore final : public OrderViewWriter, public OrderQueries {
  public:
    // Connects and creates the tables if missing (under an advisory lock), in `schema` if one
    // is named (created if missing; tests use their own), else in the search path's first.
    PgOrderViewStore(const pg::ConnectionSettings& settings,
                     std::size_t pool_size,
                     const std::string& schema = {});
    ~PgOrderViewStore() override;
    PgOrderViewStore(const PgOrderViewStore&) = delete;
    PgOrderViewStore& operator=(const PgOrderViewStore&) = delete;

    void apply(const std::vector<FeedChange>& batch) override;
    std::optional<OrderView> find(const std::string& order_id) override;
    OrderPage list(const OrderListQuery& query) override;
    // A round trip, for readiness.
    void ping();

  private:
    std::unique_ptr<soci::connection_pool> pool_;
};

}  // namespace ordersource::gateway
