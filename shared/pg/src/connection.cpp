#include "ordersource/pg/connection.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <cctype>

#include "ordersource/core/config.hpp"
#include "ordersource/pg/libpq.hpp"

namespace ordersource::pg {
namespace {

// libpq keyword/value quoting: single quotes, backslash-escaped.
std::string quoted(std::string_view value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "'";
}

// Every byte but RFC 3986's unreserved characters as %XX.
std::string percent_encoded(std::string_view value) {
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0F];
        }
    }
    return out;
}

}  // namespace

ConnectionSettings ConnectionSettings::from_env(std::string_view database_variable,
                                                std::string_view default_database) {
    ConnectionSettings settings;
    settings.host = core::env_string("ORDERSOURCE_PG_HOST", settings.host);
    settings.port = static_cast<int>(core::env_int("ORDERSOURCE_PG_PORT", settings.port, 1, 65535));
    settings.user = core::env_string("ORDERSOURCE_PG_USER", settings.user);
    settings.password = core::env_string("ORDERSOURCE_PG_PASSWORD", "");
    settings.database =
        core::env_value(database_variable)
            .value_or(core::env_string("ORDERSOURCE_PG_DATABASE", default_database));
    return settings;
}

// A URI, not keyword/value: SOCI 4.0.3's PostgreSQL factory splits a keyword/value string at
// every space and joins the pieces again before libpq sees it, knowing nothing of single
// quotes, so a value with a space (an application name, a password) arrived mangled. A URI
// with percent-encoded query parameters has no space to split at.
std::string ConnectionSettings::connection_string() const {
    std::string uri = "postgresql://?host=" + percent_encoded(host) +
                      "&port=" + std::to_string(port) + "&dbname=" + percent_encoded(database) +
                      "&user=" + percent_encoded(user) +
                      "&connect_timeout=" + std::to_string(connect_timeout_s) +
                      "&application_name=" + percent_encoded(application_name);
    if (!password.empty()) uri += "&password=" + percent_encoded(password);
    return uri;
}

std::string ConnectionSettings::describe() const {
    return "host=" + quoted(host) + " port=" + std::to_string(port) +
           " dbname=" + quoted(database) + " user=" + quoted(user) +
           " connect_timeout=" + std::to_string(connect_timeout_s) +
           " application_name=" + quoted(application_name);
}

PGconn* libpq_connection(soci::session& sql) {
    // SOCI 4.0.3 has no public accessor; its PostgreSQL backend keeps the handle here
    // (../shared/docs/PITFALLS.md).
    return static_cast<soci::postgresql_session_backend*>(sql.get_backend())->conn_;
}

std::unique_ptr<soci::session> open_session(const ConnectionSettings& settings) {
    return std::make_unique<soci::session>(*soci::factory_postgresql(),
                                           settings.connection_string());
}

void use_schema(soci::session& sql, const std::string& schema) {
    std::string quoted = "\"";
    for (const char c : schema) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += '"';
    sql << "CREATE SCHEMA IF NOT EXISTS " + quoted;
    sql << "SET search_path TO " + quoted;
}

}  // namespace ordersource::pg
