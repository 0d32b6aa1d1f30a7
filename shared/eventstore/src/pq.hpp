#pragma once
// The few libpq calls the PostgreSQL store makes, with RAII results and errors turned into
// StoreError (libpq directly: one round trip per append, text protocol, no SOCI statement
// caching to trip over; see ../docs/PITFALLS.md).

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ordersource/eventstore/event_store.hpp"

namespace ordersource::eventstore::detail {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// A statement the server refused; sqlstate and constraint let callers tell a unique
// violation on one constraint from any other failure.
class PqError : public StoreError {
  public:
    PqError(const std::string& message, std::string sqlstate, std::string constraint)
        : StoreError(message), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}

    const std::string& sqlstate() const { return sqlstate_; }
    const std::string& constraint() const { return constraint_; }

  private:
    std::string sqlstate_;
    std::string constraint_;
};

inline constexpr const char* kUniqueViolation = "23505";

// One parameterised statement (text parameters, text results); throws PqError on failure.
Result exec(PGconn* conn, const char* sql, const std::vector<std::string>& params = {});
// Statements without parameters, possibly several separated by ';'; throws PqError.
Result exec_script(PGconn* conn, const std::string& sql);

std::string text_at(const PGresult* result, int row, int column);
std::int64_t int64_at(const PGresult* result, int row, int column);
std::uint64_t uint64_at(const PGresult* result, int row, int column);
bool is_null_at(const PGresult* result, int row, int column);

// "schema" -> "\"schema\"", escaped by libpq for identifiers.
std::string quote_identifier(PGconn* conn, const std::string& name);

}  // namespace ordersource::eventstore::detail
