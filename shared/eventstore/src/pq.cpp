#include "pq.hpp"

#include <charconv>

namespace ordersource::eventstore::detail {
namespace {

std::string field_or_empty(const PGresult* result, int field) {
    const char* value = PQresultErrorField(result, field);
    return value != nullptr ? value : "";
}

Result checked(PGconn* conn, Result result, const char* what) {
    if (!result) {
        throw PqError(std::string("PostgreSQL: ") + what + ": " + PQerrorMessage(conn), "", "");
    }
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw PqError(
            std::string("PostgreSQL: ") + what + ": " + PQresultErrorMessage(result.get()),
            field_or_empty(result.get(), PG_DIAG_SQLSTATE),
            field_or_empty(result.get(), PG_DIAG_CONSTRAINT_NAME));
    }
    return result;
}

template <typename Integer>
Integer integer_at(const PGresult* result, int row, int column) {
    const char* text = PQgetvalue(result, row, column);
    const int length = PQgetlength(result, row, column);
    Integer value{};
    const auto [end, error] = std::from_chars(text, text + length, value);
    if (error != std::errc{} || end != text + length) {
        throw StoreError(std::string("PostgreSQL: not an integer: '") + text + "'");
    }
    return value;
}

}  // namespace

Result exec(PGconn* conn, const char* sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& param : params) {
        values.push_back(param.c_str());
    }
    Result result(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0));
    return checked(conn, std::move(result), "statement failed");
}

Result exec_script(PGconn* conn, const std::string& sql) {
    return checked(conn, Result(PQexec(conn, sql.c_str())), "statement failed");
}

std::string text_at(const PGresult* result, int row, int column) {
    return {PQgetvalue(result, row, column),
            static_cast<std::size_t>(PQgetlength(result, row, column))};
}

std::int64_t int64_at(const PGresult* result, int row, int column) {
    return integer_at<std::int64_t>(result, row, column);
}

std::uint64_t uint64_at(const PGresult* result, int row, int column) {
    return integer_at<std::uint64_t>(result, row, column);
}

bool is_null_at(const PGresult* result, int row, int column) {
    return PQgetisnull(result, row, column) != 0;
}

std::string quote_identifier(PGconn* conn, const std::string& name) {
    char* quoted = PQescapeIdentifier(conn, name.c_str(), name.size());
    if (quoted == nullptr) {
        throw StoreError(std::string("PostgreSQL: cannot quote identifier: ") +
                         PQerrorMessage(conn));
    }
    std::string text(quoted);
    PQfreemem(quoted);
    return text;
}

}  // namespace ordersource::eventstore::detail
