#include "pq.hpp"

#include <charconv>
#include <optional>

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

std::vector<const char*> c_strings(const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& param : params) {
        values.push_back(param.c_str());
    }
    return values;
}

// Sends a multi-statement script and reads every result (the connection takes no next command
// before that). A COPY ... FROM STDIN in it is fed `copy_data`, or ended with an error when
// there is none. Returns the first result with rows (null when none had rows); the first
// failure is thrown after all results are read.
Result run_script(PGconn* conn, const std::string& script, const std::string* copy_data) {
    if (PQsendQuery(conn, script.c_str()) != 1) {
        throw PqError(std::string("PostgreSQL: cannot send statement: ") + PQerrorMessage(conn), "",
                      "");
    }
    Result rows;
    std::optional<PqError> failure;
    while (PGresult* raw = PQgetResult(conn)) {
        Result result(raw);
        if (PQresultStatus(result.get()) == PGRES_COPY_IN) {
            if (copy_data == nullptr) {
                PQputCopyEnd(conn, "the script has no COPY data");  // the server then fails it
                continue;
            }
            if (PQputCopyData(conn, copy_data->data(), static_cast<int>(copy_data->size())) != 1 ||
                PQputCopyEnd(conn, nullptr) != 1) {
                failure = failure.value_or(
                    PqError(std::string("PostgreSQL: COPY data not sent: ") + PQerrorMessage(conn),
                            "", ""));
            }
            continue;
        }
        if (failure) {
            continue;
        }
        try {
            result = checked(conn, std::move(result), "statement failed");
        } catch (const PqError& error) {
            failure = error;
            continue;
        }
        if (!rows && PQresultStatus(result.get()) == PGRES_TUPLES_OK) {
            rows = std::move(result);
        }
    }
    if (failure) {
        throw *failure;
    }
    return rows;
}

Result with_rows(Result rows) {
    if (!rows) {
        throw PqError("PostgreSQL: the script returned no rows", "", "");
    }
    return rows;
}

}  // namespace

Result exec(PGconn* conn, const char* sql, const std::vector<std::string>& params) {
    const std::vector<const char*> values = c_strings(params);
    Result result(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0));
    return checked(conn, std::move(result), "statement failed");
}

void ensure_prepared(PGconn* conn, PreparedStatements& prepared, const Statement& statement) {
    if (!prepared.contains(statement.name)) {
        checked(conn, Result(PQprepare(conn, statement.name, statement.text, 0, nullptr)),
                "cannot prepare statement");
        prepared.add(statement.name);
    }
}

Result exec(PGconn* conn,
            PreparedStatements& prepared,
            const Statement& statement,
            const std::vector<std::string>& params) {
    ensure_prepared(conn, prepared, statement);
    const std::vector<const char*> values = c_strings(params);
    Result result(PQexecPrepared(conn, statement.name, static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0));
    return checked(conn, std::move(result), "statement failed");
}

Result exec_script(PGconn* conn, const std::string& sql) {
    return checked(conn, Result(PQexec(conn, sql.c_str())), "statement failed");
}

Result exec_script_rows(PGconn* conn, const std::string& sql) {
    return with_rows(run_script(conn, sql, nullptr));
}

void copy_in(PGconn* conn, const std::string& copy_sql, const std::string& data) {
    run_script(conn, copy_sql, &data);
}

Result copy_script(PGconn* conn, const std::string& script, const std::string& data) {
    return with_rows(run_script(conn, script, &data));
}

void append_copy_field(std::string& out, std::string_view field) {
    // Runs without special characters (nearly all of a payload) are appended whole.
    std::size_t start = 0;
    for (std::size_t i = 0; i < field.size(); ++i) {
        const char c = field[i];
        const char* escaped = c == '\\'   ? "\\\\"
                              : c == '\t' ? "\\t"
                              : c == '\n' ? "\\n"
                              : c == '\r' ? "\\r"
                                          : nullptr;
        if (escaped == nullptr) continue;
        out.append(field.substr(start, i - start));
        out += escaped;
        start = i + 1;
    }
    out.append(field.substr(start));
}

void append_array_element(std::string& out, std::string_view element) {
    out += '"';
    for (const char c : element) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
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

std::string quote_literal(PGconn* conn, const std::string& text) {
    char* quoted = PQescapeLiteral(conn, text.c_str(), text.size());
    if (quoted == nullptr) {
        throw StoreError(std::string("PostgreSQL: cannot quote literal: ") + PQerrorMessage(conn));
    }
    std::string literal(quoted);
    PQfreemem(quoted);
    return literal;
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
