#include "ordersource/pg/connection.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

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

std::string ConnectionSettings::connection_string() const {
    std::string text = describe();
    if (!password.empty()) {
        text += " password=" + quoted(password);
    }
    return text;
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
