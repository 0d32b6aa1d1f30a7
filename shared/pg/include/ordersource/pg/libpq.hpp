#pragma once
// The libpq connection under a SOCI session, for what SOCI cannot do the way an adapter needs
// (binary COPY, statements prepared once per connection, multi-statement scripts). Include
// only from .cpp files of PostgreSQL adapters.

#include <libpq-fe.h>

#include <memory>

namespace soci {
class session;
}

namespace ordersource::pg {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// The session's own connection (it stays the session's: never close it).
PGconn* libpq_connection(soci::session& sql);

}  // namespace ordersource::pg
