#include "adapters/pg_copy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "ordersource/contracts/envelope.hpp"
#include "ordersource/pg/libpq.hpp"

namespace ordersource::gateway {
namespace {

using pg::Result;

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

// Hex digit values by byte, -1 for anything else: uuids are two of the history's five
// columns, and branching per character was 8% of a rebuild's CPU.
constexpr std::array<std::int8_t, 256> kHexValue = [] {
    std::array<std::int8_t, 256> value{};
    value.fill(-1);
    for (int c = '0'; c <= '9'; ++c)
        value[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c)
        value[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c)
        value[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
    return value;
}();

int hex_digit(char c) {
    return kHexValue[static_cast<unsigned char>(c)];
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
    // Where each byte's two digits start: the dashes sit at 8, 13, 18 and 23.
    static constexpr std::array<std::uint8_t, 16> kDigitsAt = {0,  2,  4,  6,  9,  11, 14, 16,
                                                               19, 21, 24, 26, 28, 30, 32, 34};
    char bytes[16];
    int invalid = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        const int high = hex_digit(text[kDigitsAt[i]]), low = hex_digit(text[kDigitsAt[i] + 1U]);
        invalid |= high | low;  // negative when either is not a digit
        bytes[i] = static_cast<char>(((high & 0xf) << 4) | (low & 0xf));
    }
    if (invalid < 0) refuse();
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
    PGconn* conn = pg::libpq_connection(sql);
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
