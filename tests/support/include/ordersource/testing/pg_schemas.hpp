#pragma once
// Schemas of a test's own in the test database: named uniquely, created by whoever uses them
// first (the stores under test do), dropped at the end; and the rows of a query rendered as
// sorted text, to compare what two schemas hold; and what keys and indexes a table has.

#include <soci/soci.h>

#include <memory>
#include <string>
#include <vector>

#include "ordersource/pg/connection.hpp"
#include "ordersource/testing/test_database.hpp"

namespace ordersource::testing {

struct PgSchemas {
    PgSchemas() : session(pg::open_session(test_database())) {
        *session << "SET client_min_messages = warning";
    }
    ~PgSchemas() {
        for (const auto& schema : names) *session << "DROP SCHEMA IF EXISTS " + schema + " CASCADE";
    }
    PgSchemas(const PgSchemas&) = delete;
    PgSchemas& operator=(const PgSchemas&) = delete;

    // A new schema name (an identifier: no quoting needed).
    std::string make(const std::string& prefix) {
        names.push_back(unique_schema(prefix));
        return names.back();
    }
    // Every row `select` returns, as text, sorted.
    std::vector<std::string> rows(const std::string& select) {
        soci::rowset<std::string> found =
            (session->prepare << "SELECT CAST(r AS text) FROM (" + select + ") AS r ORDER BY 1");
        return {found.begin(), found.end()};
    }
    // The definition of a (schema-qualified) table's primary key, e.g. "PRIMARY KEY (a, b)".
    std::string primary_key(const std::string& table) {
        std::string key;
        *session << "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                    "CAST(:table AS regclass) AND contype = 'p'",
            soci::use(table, "table"), soci::into(key);
        return key;
    }
    bool has_index(const std::string& schema, const std::string& index) {
        int found = 0;
        *session << "SELECT count(*) FROM pg_indexes WHERE schemaname = :schema AND indexname = "
                    ":index",
            soci::use(schema, "schema"), soci::use(index, "index"), soci::into(found);
        return found > 0;
    }

    std::unique_ptr<soci::session> session;
    std::vector<std::string> names;
};

}  // namespace ordersource::testing
