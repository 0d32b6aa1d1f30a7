#include "adapters/pg_idempotency_store.hpp"

#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "adapters/sql.hpp"

namespace ordersource::gateway {

PgIdempotencyStore::PgIdempotencyStore(const pg::ConnectionSettings& settings,
                                       std::size_t pool_size)
    : pool_(std::make_unique<soci::connection_pool>(pool_size)) {
    for (std::size_t i = 0; i < pool_size; ++i) {
        pool_->at(i).open(*soci::factory_postgresql(), settings.connection_string());
    }
    soci::session sql(*pool_);
    sql << sql::kCreateIdempotencyTable;
}

PgIdempotencyStore::~PgIdempotencyStore() = default;

IdempotencyRecord PgIdempotencyStore::claim(std::string_view key,
                                            const IdempotencyRecord& proposed) {
    soci::session sql(*pool_);
    const std::string key_text(key);
    sql << sql::kClaimKey, soci::use(key_text, "key"), soci::use(proposed.order_id, "order_id"),
        soci::use(proposed.fingerprint, "fingerprint");
    IdempotencyRecord stored;
    sql << sql::kReadKey, soci::use(key_text, "key"), soci::into(stored.order_id),
        soci::into(stored.fingerprint);
    return stored;
}

}  // namespace ordersource::gateway
