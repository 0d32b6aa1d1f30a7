#pragma once
// The few libpq calls the PostgreSQL store makes, with RAII results and errors turned into
// StoreError (libpq directly: one round trip per append, text protocol, no SOCI statement
// caching to trip over; see ../docs/PITFALLS.md).

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ordersource/eventstore/event_store.hpp"
#include "ordersource/pg/libpq.hpp"

namespace ordersource::eventstore::detail {

using Result = pg::Result;

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
// A statement run often enough to be prepared: parsed and planned once per connection (on
// first use, under `name`), then only executed. The plan cache was measured to triple
// concurrent 1-event appends (pgbench, 16 clients: 2,676 -> 6,583 tps; ADR 13).
struct Statement {
    const char* name;
    const char* text;
};

// The statements already prepared on one connection (server-side state of that session).
class PreparedStatements {
  public:
    bool contains(std::string_view name) const { return names_.contains(name); }
    void add(std::string_view name) { names_.insert(name); }

  private:
    std::unordered_set<std::string_view> names_;  // views of Statement::name literals
};

// Prepares `statement` on `conn` unless `prepared` says it is; a script may then run it with
// `EXECUTE <name>(...)`.
void ensure_prepared(PGconn* conn, PreparedStatements& prepared, const Statement& statement);

// Prepares `statement` on `conn` unless `prepared` says it is, then executes it.
Result exec(PGconn* conn,
            PreparedStatements& prepared,
            const Statement& statement,
            const std::vector<std::string>& params = {});

// Statements without parameters, possibly several separated by ';'; throws PqError.
Result exec_script(PGconn* conn, const std::string& sql);

// Like exec_script, but returns the first result with rows (a script such as
// "SELECT ...; COMMIT" answers with the SELECT's rows); throws PqError if any part fails.
Result exec_script_rows(PGconn* conn, const std::string& sql);

// COPY ... FROM STDIN with `data` in COPY's text format; throws PqError when the server
// refuses the data (the transaction around it is then aborted).
void copy_in(PGconn* conn, const std::string& copy_sql, const std::string& data);

// Runs `script` - statements separated by ';' of which one is a COPY ... FROM STDIN - sending
// `data` (COPY's text format) when the server asks for it; returns the first result with rows.
// Throws PqError if any statement fails (a transaction the script opened is then aborted and
// still open: the caller rolls it back).
Result copy_script(PGconn* conn, const std::string& script, const std::string& data);

// Appends `field` to `out` escaped for COPY's text format (backslash, tab, newline, CR).
void append_copy_field(std::string& out, std::string_view field);

// Appends `element` to `out` as one double-quoted element of an array literal ('{...}').
void append_array_element(std::string& out, std::string_view element);

// An array literal ('{...}'), built one element at a time.
class ArrayLiteral {
  public:
    void add_text(std::string_view element) {
        separate();
        append_array_element(text_, element);
    }
    void add_integer(std::int64_t element) {
        separate();
        text_ += std::to_string(element);
    }
    std::string str() const { return text_ + '}'; }

  private:
    void separate() {
        if (text_.size() > 1) text_ += ',';
    }
    std::string text_ = "{";
};

std::string text_at(const PGresult* result, int row, int column);
std::int64_t int64_at(const PGresult* result, int row, int column);
std::uint64_t uint64_at(const PGresult* result, int row, int column);
bool is_null_at(const PGresult* result, int row, int column);

// "it's" -> "'it''s'", escaped by libpq for string literals in scripts.
std::string quote_literal(PGconn* conn, const std::string& text);

// "schema" -> "\"schema\"", escaped by libpq for identifiers.
std::string quote_identifier(PGconn* conn, const std::string& name);

}  // namespace ordersource::eventstore::detail
