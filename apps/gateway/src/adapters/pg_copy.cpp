#include "adapters/pg_copy.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "ordersource/contracts/envelope.hpp"

namespace ordersource::gateway {
namespace {

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

PGconn* connection_of(soci::session& sql) {
    // SOCI 4.0.3 has no public accessor; its PostgreSQL backend keeps the handle here
    // (../shared/docs/PITFALLS.md).
    return static_cast<soci::postgresql_session_backend*>(sql.get_backend())->conn_;
}

// Reads every pending result; the first failure's message, if any.
std::string drain_results(PGconn* conn) {
    std::string error;
    while (Result result{PQgetResult(conn)}) {
        const auto status = PQresultStatus(result.get());
        if (error.empty() && status != PGRES_COMMAND_OK) {
            error = PQresultErrorMessage(result.get());
        }
    }
    return error;
}

// Big-endian, as every binary COPY field is.
template <typename T>
void append_big_endian(std::string& out, T value) {
    auto bits = static_cast<std::make_unsigned_t<T>>(value);
    char bytes[sizeof(T)];
    for (std::size_t i = sizeof(T); i-- > 0;) {
        bytes[i] = static_cast<char>(bits & 0xffU);
        bits = static_cast<std::make_unsigned_t<T>>(bits >> 8U);
    }
    out.append(bytes, sizeof(T));
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// PostgreSQL's timestamp epoch, 2000-01-01T00:00:00Z, in Unix milliseconds.
constexpr std::int64_t kPostgresEpochMillis = 946684800000;

}  // namespace

CopyRows& CopyRows::row() {
    append_big_endian(data_, columns_);
    ++rows_;
    return *this;
}

void CopyRows::length(std::int32_t bytes) {
    append_big_endian(data_, bytes);
}

CopyRows& CopyRows::uuid(std::string_view text) {
    const auto refuse = [&text] {
        throw std::invalid_argument("not a uuid: " + std::string(text));
    };
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
        text[23] != '-') {
        refuse();
    }
    char bytes[16];
    std::size_t at = 0;
    for (auto& byte : bytes) {
        if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
        const int high = hex_digit(text[at]), low = hex_digit(text[at + 1]);
        if (high < 0 || low < 0) refuse();
        byte = static_cast<char>(high * 16 + low);
        at += 2;
    }
    length(16);
    data_.append(bytes, sizeof(bytes));
    return *this;
}

CopyRows& CopyRows::text(std::string_view text) {
    length(static_cast<std::int32_t>(text.size()));
    data_.append(text);
    return *this;
}

CopyRows& CopyRows::nullable_text(const std::optional<std::string>& text) {
    if (text) return this->text(*text);
    length(-1);
    return *this;
}

CopyRows& CopyRows::int32(std::int32_t number) {
    length(4);
    append_big_endian(data_, number);
    return *this;
}

CopyRows& CopyRows::int64(std::int64_t number) {
    length(8);
    append_big_endian(data_, number);
    return *this;
}

CopyRows& CopyRows::timestamptz(std::string_view text) {
    const auto millis = contracts::parse_rfc3339_millis(text);
    if (!millis) throw std::invalid_argument("not an RFC 3339 time: " + std::string(text));
    return int64((*millis - kPostgresEpochMillis) * 1000);  // microseconds since 2000
}

CopyRows& CopyRows::jsonb(std::string_view json) {
    length(static_cast<std::int32_t>(json.size() + 1));
    data_ += '\1';  // jsonb's binary format version
    data_.append(json);
    return *this;
}

std::string CopyRows::stream() const {
    static constexpr char kSignature[] = "PGCOPY\n\377\r\n";
    std::string stream(kSignature, sizeof(kSignature));  // with its terminating NUL
    append_big_endian(stream, std::int32_t{0});          // flags: no OIDs
    append_big_endian(stream, std::int32_t{0});          // no header extension
    stream += data_;
    append_big_endian(stream, std::int16_t{-1});
    return stream;
}

void copy_rows(soci::session& sql, const std::string& copy_statement, const CopyRows& rows) {
    PGconn* conn = connection_of(sql);
    {
        const Result started{PQexec(conn, copy_statement.c_str())};
        if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
            const std::string error = PQresultErrorMessage(started.get());
            drain_results(conn);
            throw std::runtime_error("COPY refused: " + error);
        }
    }
    // Chunks of 1 MiB keep libpq's output buffer small for batches of any size.
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    const auto text = rows.stream();
    for (std::size_t at = 0; at < text.size(); at += kChunk) {
        const auto length = std::min(kChunk, text.size() - at);
        if (PQputCopyData(conn, text.data() + at, static_cast<int>(length)) != 1) {
            throw std::runtime_error(std::string("COPY data: ") + PQerrorMessage(conn));
        }
    }
    if (PQputCopyEnd(conn, nullptr) != 1) {
        throw std::runtime_error(std::string("COPY end: ") + PQerrorMessage(conn));
    }
    if (const auto error = drain_results(conn); !error.empty()) {
        throw std::runtime_error("COPY failed: " + error);
    }
}

}  // namespace ordersource::gateway
