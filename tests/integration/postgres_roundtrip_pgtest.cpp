// SOCI against the private PostgreSQL cluster scripts/test starts: rows written in a
// transaction come back, a rolled-back transaction leaves nothing, in a schema of its own.
#include <soci/soci.h>

#include <boost/test/unit_test.hpp>

#include "ordersource/pg/connection.hpp"
#include "ordersource/pg/primary_key.hpp"
#include "ordersource/testing/test_database.hpp"

namespace pg = ordersource::pg;
namespace testing = ordersource::testing;

namespace {

struct SchemaFixture {
    SchemaFixture()
        : session(pg::open_session(testing::test_database())),
          schema(testing::unique_schema("roundtrip")) {
        *session << "CREATE SCHEMA " + schema;
        *session << "SET search_path TO " + schema;
    }
    ~SchemaFixture() { *session << "DROP SCHEMA " + schema + " CASCADE"; }
    std::unique_ptr<soci::session> session;
    std::string schema;
};

// The table's primary key as pg_get_constraintdef prints it, and its constraint's oid, so a
// test can tell a key left alone from one made again.
struct PrimaryKey {
    std::string definition;
    long long oid = 0;
};

PrimaryKey primary_key(soci::session& sql, const std::string& table) {
    std::string definition;
    long long oid = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT pg_get_constraintdef(oid), CAST(oid AS bigint) FROM pg_constraint "
           "WHERE conrelid = CAST(:t AS regclass) AND contype = 'p'",
        soci::use(table), soci::into(definition, found), soci::into(oid);
    return {found == soci::i_ok ? definition : "", oid};
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(committed_rows_round_trip_and_rolled_back_rows_vanish, SchemaFixture) {
    auto& sql = *session;
    sql << "CREATE TABLE items (id bigint PRIMARY KEY, body jsonb NOT NULL)";
    {
        soci::transaction tx(sql);
        const long long id = 1;
        const std::string body = R"({"sku": "SKU-1", "quantity": 2})";
        sql << "INSERT INTO items (id, body) VALUES (:id, CAST(:body AS jsonb))", soci::use(id),
            soci::use(body);
        tx.commit();
    }
    {
        soci::transaction tx(sql);
        sql << "INSERT INTO items (id, body) VALUES (2, '{}')";
        // destroyed without commit: rolled back
    }
    long long count = 0;
    sql << "SELECT count(*) FROM items", soci::into(count);
    BOOST_TEST(count == 1);
    std::string sku;
    long long quantity = 0;
    sql << "SELECT body->>'sku', (body->>'quantity')::bigint FROM items WHERE id = 1",
        soci::into(sku), soci::into(quantity);
    BOOST_TEST(sku == "SKU-1");
    BOOST_TEST(quantity == 2);
}

BOOST_FIXTURE_TEST_CASE(unique_violation_surfaces_as_an_error_and_keeps_the_first_row,
                        SchemaFixture) {
    auto& sql = *session;
    sql << "CREATE TABLE ids (id text PRIMARY KEY)";
    sql << "INSERT INTO ids VALUES ('a')";
    BOOST_CHECK_THROW(sql << "INSERT INTO ids VALUES ('a')", soci::soci_error);
    long long count = 0;
    sql << "SELECT count(*) FROM ids", soci::into(count);
    BOOST_TEST(count == 1);
}

// SOCI 4.0.3 re-splits a keyword/value connection string at spaces; a setting with spaces,
// quotes and backslashes must reach the server as it is. (The password takes the same path;
// the test user may not create a role to prove it with.)
BOOST_AUTO_TEST_CASE(settings_with_spaces_and_quotes_reach_the_server_intact) {
    auto settings = testing::test_database();
    settings.application_name = R"(gateway idempotency claims 'x' "y" \z)";
    auto session = pg::open_session(settings);
    std::string user;
    std::string application_name;
    *session << "SELECT current_user, application_name FROM pg_stat_activity "
                "WHERE pid = pg_backend_pid()",
        soci::into(user), soci::into(application_name);
    BOOST_TEST(user == settings.user);
    BOOST_TEST(application_name == settings.application_name);
}

// Migrations rekey tables earlier releases made (ADR 26, ADR 27); the key is compared column
// by column, in order, and rows survive the rekeying.
BOOST_FIXTURE_TEST_CASE(a_primary_key_on_other_columns_is_replaced_and_the_wanted_one_kept,
                        SchemaFixture) {
    auto& sql = *session;
    sql << "CREATE TABLE reversed (a int, b int, c text, PRIMARY KEY (b, a))";
    sql << "INSERT INTO reversed VALUES (1, 2, 'x'), (2, 1, 'y')";
    sql << "CREATE TABLE narrower (a int PRIMARY KEY, b int NOT NULL)";
    sql << "CREATE TABLE keyless (a int NOT NULL, b int NOT NULL)";
    sql << "CREATE TABLE renamed_old (a int, b int, PRIMARY KEY (a, b))";
    sql << "ALTER TABLE renamed_old RENAME TO renamed";
    const auto kept = primary_key(sql, "renamed");

    for (const std::string table : {"reversed", "narrower", "keyless", "renamed"}) {
        sql << pg::ensure_primary_key_sql(table, "a, b");
        BOOST_TEST_CONTEXT("table " << table) {
            BOOST_TEST(primary_key(sql, table).definition == "PRIMARY KEY (a, b)");
        }
    }
    BOOST_TEST(primary_key(sql, "renamed").oid == kept.oid);  // the wanted key, as it was

    const auto made = primary_key(sql, "reversed");
    sql << pg::ensure_primary_key_sql("reversed", "a, b");
    BOOST_TEST(primary_key(sql, "reversed").oid == made.oid);  // run again: left alone
    int rows = 0;
    sql << "SELECT count(*) FROM reversed", soci::into(rows);
    BOOST_TEST(rows == 2);
}
