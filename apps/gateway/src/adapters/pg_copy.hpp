#pragma once
// COPY ... FROM STDIN in PostgreSQL's binary format, through a SOCI session's own libpq
// connection, so bulk rows travel in the same transaction as the session's other statements
// (a rebuild's checkpoint). Binary because the server parsed the text form of uuid and
// timestamptz columns for most of the time a text COPY took (measured: history rows 2.3 s ->
// 0.7 s per million; docs/adr/0016-batched-order-views-and-fast-rebuild.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace soci {
class session;
}

namespace ordersource::gateway {

// Rows of a binary COPY: row() starts one, then one call per column in the statement's order.
// A value that cannot be encoded (a uuid or time that is not one) throws std::invalid_argument.
class CopyRows {
  public:
    explicit CopyRows(std::int16_t columns) : columns_(columns) {}

    CopyRows& row();
    CopyRows& uuid(std::string_view text);
    CopyRows& text(std::string_view text);
    // NULL when absent.
    CopyRows& nullable_text(const std::optional<std::string>& text);
    CopyRows& int32(std::int32_t number);
    CopyRows& int64(std::int64_t number);
    // An RFC 3339 time (the canonical UTC form with milliseconds is the fast path).
    CopyRows& timestamptz(std::string_view text);
    CopyRows& jsonb(std::string_view json);

    bool empty() const { return rows_ == 0; }
    std::size_t rows() const { return rows_; }
    // The whole COPY stream: header, rows, trailer.
    std::string stream() const;

  private:
    void length(std::int32_t bytes);

    std::int16_t columns_;
    std::size_t rows_ = 0;
    std::string data_;
};

// Runs `copy_statement` (COPY <table> (<columns>) FROM STDIN (FORMAT binary)) with `rows`
// on the session's connection, inside whatever transaction the session has open. Throws
// std::runtime_error with the server's message when it refuses (the transaction is then
// aborted).
void copy_rows(soci::session& sql, const std::string& copy_statement, const CopyRows& rows);

}  // namespace ordersource::gateway
