#pragma once

#include <memory>

#include "app/ports.hpp"
#include "ordersource/pg/connection.hpp"

namespace soci {
class connection_pool;
}

namespace ordersource::gateway {

// Idempotency keys in the gateway's PostgreSQL database, shared by every gateway instance.
class PgIdempotencyStore final : public IdempotencyStore {
  public:
    // Opens `pool_size` sessions (one per HTTP worker) and creates the table if missing.
    PgIdempotencyStore(const pg::ConnectionSettings& settings, std::size_t pool_size);
    ~PgIdempotencyStore() override;

    IdempotencyRecord claim(std::string_view key, const IdempotencyRecord& proposed) override;

  private:
    std::unique_ptr<soci::connection_pool> pool_;
};

}  // namespace ordersource::gateway
