#pragma once
// The libpq handle under a SOCI session, for the few statements SOCI cannot run the way the
// gateway needs (binary COPY, statements prepared once per connection). Include only from
// .cpp files of PostgreSQL adapters.

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <memory>

namespace ordersource::gateway::libpq {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

inline PGconn* connection_of(soci::session& sql) {
    // SOCI 4.0.3 has no public accessor; its PostgreSQL backend keeps the handle here
    // (../shared/docs/PITFALLS.md).
    return static_cast<soci::postgresql_session_backend*>(sql.get_backend())->conn_;
}

}  // namespace ordersource::gateway::libpq
