#pragma once
// Where a service's PostgreSQL database is and how to open a session to it. Only
// PostgreSQL adapters include this; nothing else sees SOCI.

#include <memory>
#include <string>
#include <string_view>

namespace soci {
class session;
}

namespace ordersource::pg {

struct ConnectionSettings {
    std::string host = "127.0.0.1";
    int port = 15432;
    std::string database;
    std::string user = "ordersource";
    std::string password;
    int connect_timeout_s = 10;
    // What pg_stat_activity shows for the session: which part of which service it serves.
    std::string application_name = "ordersource";

    bool operator==(const ConnectionSettings&) const = default;

    // From ORDERSOURCE_PG_HOST / _PORT / _USER / _PASSWORD and, for the database,
    // `database_variable` (e.g. ORDER_SERVICE_PG_DATABASE) falling back to
    // ORDERSOURCE_PG_DATABASE, then to `default_database`. Throws core::ConfigError.
    static ConnectionSettings from_env(std::string_view database_variable,
                                       std::string_view default_database);

    // A libpq URI (postgresql://?host=...), every value percent-encoded; contains the
    // password: never log it.
    std::string connection_string() const;
    // Keyword/value form without the password, for logs and error messages.
    std::string describe() const;
};

// Opens a session; throws soci::soci_error (with the server's reason) when it cannot.
std::unique_ptr<soci::session> open_session(const ConnectionSettings& settings);

// Creates `schema` if missing and makes it the session's search path, so unqualified tables
// are found and created there (tests give each projection a schema of its own).
void use_schema(soci::session& sql, const std::string& schema);

}  // namespace ordersource::pg
