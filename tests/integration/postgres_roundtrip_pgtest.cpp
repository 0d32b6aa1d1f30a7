// SOCI against the private PostgreSQL cluster scripts/test starts: rows written in a
// transaction come back, a rolled-back transaction leaves nothing, in a schema of its own.
#include <soci/soci.h>

#include <boost/test/unit_test.hpp>

#include "ordersource/pg/connection.hpp"
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
