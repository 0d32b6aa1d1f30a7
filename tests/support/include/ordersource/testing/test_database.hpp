#pragma once
// The database integration tests work in (scripts/test creates it), and names for the schemas
// they make in it, unique per test so runs never see each other's rows.

#include <algorithm>
#include <string>
#include <string_view>

#include "ordersource/pg/connection.hpp"
#include "ordersource/testing/environment.hpp"

namespace ordersource::testing {

inline pg::ConnectionSettings test_database() {
    return pg::ConnectionSettings::from_env("ORDERSOURCE_TEST_PG_DATABASE", "ordersource_test");
}

// An identifier (no quoting needed): `prefix`, then a unique suffix.
inline std::string unique_schema(std::string_view prefix) {
    std::string schema = unique_name(prefix);
    std::replace(schema.begin(), schema.end(), '-', '_');
    return schema;
}

}  // namespace ordersource::testing
