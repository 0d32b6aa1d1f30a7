// The gateway's HTTP API in-process, over real sockets, with the real PostgreSQL idempotency
// store and the real Kafka broker (a topic of this test's own instead of order-created).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/soci.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>

#include "adapters/http_api.hpp"
#include "adapters/kafka_event_publisher.hpp"
#include "adapters/pg_idempotency_store.hpp"
#include "adapters/pg_order_view_store.hpp"
#include "clock.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/kafka/admin.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/metrics/registry.hpp"
#include "ordersource/service/runtime.hpp"
#include "ordersource/testing/environment.hpp"
#include "ordersource/testing/http_client.hpp"
#include "ordersource/testing/pg_schemas.hpp"

using namespace std::chrono_literals;
using namespace ordersource;
using testing::http_request;

namespace {

const std::string kValidBody =
    R"({"customerId":"c-1","currency":"USD","items":[{"sku":"SKU-1","quantity":2,"unitPrice":"49.99"}]})";

pg::ConnectionSettings test_database_as(std::string application_name) {
    auto settings = testing::test_database();
    settings.application_name = std::move(application_name);
    return settings;
}

struct Gateway {
    // `claims_session`: the application_name of the idempotency store's session.
    explicit Gateway(kafka::Properties kafka_config,
                     std::string topic,
                     std::string claims_session = "ordersource")
        : store(test_database_as(std::move(claims_session))),
          producer(kafka_config),
          publisher(producer),
          intake(store, publisher, clock, core::new_uuid, std::move(topic)),
          order_views(testing::test_database(), 1),
          http(
              gateway::HttpSettings{
                  .bind_address = "127.0.0.1", .port = 0, .threads = 2, .max_body_bytes = 4096},
              intake,
              order_views) {
        // What main() adds beside the API, so this router serves what production serves.
        service::add_health_routes(http.server(), {});
        service::add_metrics_route(http.server(), registry);
        http.start();
    }
    ~Gateway() {
        http.stop_accepting_orders();
        producer.flush(5s);
        http.shutdown();
    }
    testing::HttpResponse post(const std::string& body,
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
        headers.emplace_back("Content-Type", "application/json");
        return http_request(http.port(), "POST", "/orders", headers, body);
    }

    gateway::PgIdempotencyStore store;
    kafka::Producer producer;
    gateway::KafkaEventPublisher publisher;
    gateway::SystemClock clock;
    gateway::OrderIntake intake;
    gateway::PgOrderViewStore order_views;
    metrics::Registry registry;
    gateway::HttpApi http;
};

kafka::Properties broker() {
    return {{"bootstrap.servers", testing::kafka_bootstrap()}};
}

struct GatewayFixture {
    GatewayFixture() : topic(testing::unique_name("gateway")) {
        BOOST_REQUIRE(!kafka::create_topics(broker(), {{.name = topic, .partitions = 3}}, 30s));
        gateway = std::make_unique<Gateway>(broker(), topic);
    }
    std::vector<kafka::Record> consume(std::size_t count) {
        auto config = broker();
        config["group.id"] = testing::unique_name("gateway-check");
        kafka::Consumer consumer(config, {topic});
        std::vector<kafka::Record> records;
        testing::eventually(
            [&] {
                if (auto record = consumer.poll(200ms)) records.push_back(std::move(*record));
                return records.size() >= count;
            },
            60s, 0ms);
        return records;
    }
    std::string topic;
    std::unique_ptr<Gateway> gateway;
};

void require_problem(const testing::HttpResponse& response, int status) {
    BOOST_TEST(response.status == status);
    BOOST_TEST(response.header("content-type") == "application/problem+json");
    BOOST_TEST(response.body.find("\"status\":" + std::to_string(status)) != std::string::npos);
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(accepted_order_is_on_kafka_before_the_202_with_key_headers_and_envelope,
                        GatewayFixture) {
    const auto response = gateway->post(kValidBody, {{"X-Correlation-Id", "corr-e2e-1"}});
    BOOST_TEST(response.status == 202);
    BOOST_TEST(response.header("x-correlation-id") == "corr-e2e-1");
    const auto order_id = response.body.substr(12, 36);  // {"orderId":"<uuid>",...
    BOOST_REQUIRE(core::is_uuid(order_id));
    BOOST_TEST(response.header("location") == "/orders/" + order_id);
    BOOST_TEST(response.body == R"({"orderId":")" + order_id + R"(","status":"PENDING"})");

    const auto records = consume(1);
    BOOST_REQUIRE(records.size() == 1U);
    BOOST_TEST(records[0].key == order_id);
    BOOST_TEST(records[0].header("event-type").value_or("") == "OrderCreated");
    BOOST_TEST(records[0].header("correlation-id").value_or("") == "corr-e2e-1");
    const auto parsed = contracts::parse_envelope(records[0].value);
    BOOST_REQUIRE(std::holds_alternative<contracts::Envelope>(parsed));
    BOOST_TEST(std::get<contracts::Envelope>(parsed).payload_json.find("\"total\":\"99.98\"") !=
               std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(idempotency_key_replays_the_same_order_and_rejects_another_body,
                        GatewayFixture) {
    const auto key = testing::unique_name("key");
    const auto first = gateway->post(kValidBody, {{"Idempotency-Key", key}});
    BOOST_TEST(first.status == 202);
    // Same body with different formatting is the same request.
    const auto again = gateway->post(
        R"({ "currency": "USD", "customerId": "c-1", "items": [{"unitPrice":"49.990","quantity":2,"sku":"SKU-1"}] })",
        {{"Idempotency-Key", key}});
    BOOST_TEST(again.status == 400);  // 3 decimals: not the same request, not even valid
    const auto replay = gateway->post(kValidBody, {{"Idempotency-Key", key}});
    BOOST_TEST(replay.status == 200);
    BOOST_TEST(replay.header("idempotent-replayed") == "true");
    BOOST_TEST(replay.body == first.body);
    const auto conflict = gateway->post(
        R"({"customerId":"c-2","currency":"USD","items":[{"sku":"SKU-1","quantity":2,"unitPrice":"49.99"}]})",
        {{"Idempotency-Key", key}});
    require_problem(conflict, 409);

    // One order: every record on the topic carries the same order id and event id.
    const auto records = consume(2);
    BOOST_REQUIRE(records.size() == 2U);
    BOOST_TEST(records[0].key == records[1].key);
    BOOST_TEST(records[0].header("event-id").value_or("a") ==
               records[1].header("event-id").value_or("b"));
}

BOOST_FIXTURE_TEST_CASE(bad_requests_get_json_problems, GatewayFixture) {
    const auto invalid = gateway->post(
        R"({"customerId":"","currency":"usd","items":[{"sku":"S","quantity":0,"unitPrice":"1"}]})");
    require_problem(invalid, 400);
    BOOST_TEST(invalid.body.find(R"("field":"items[0].quantity")") != std::string::npos);
    BOOST_TEST(invalid.body.find(R"("field":"customerId")") != std::string::npos);
    BOOST_TEST(invalid.body.find(R"("field":"currency")") != std::string::npos);

    require_problem(gateway->post("{not json"), 400);
    require_problem(http_request(gateway->http.port(), "POST", "/orders",
                                 {{"Content-Type", "text/plain"}}, kValidBody),
                    415);
    require_problem(gateway->post(std::string(5000, ' ') + kValidBody), 413);
    require_problem(http_request(gateway->http.port(), "GET", "/nowhere"), 404);
    const auto wrong_method = http_request(gateway->http.port(), "DELETE", "/orders");
    require_problem(wrong_method, 405);
    BOOST_TEST(wrong_method.header("allow") == "POST, GET");
    require_problem(gateway->post(kValidBody, {{"Idempotency-Key", std::string(129, 'k')}}), 400);
    BOOST_TEST(http_request(gateway->http.port(), "GET", "/health/live").status == 200);
}

BOOST_AUTO_TEST_CASE(kafka_that_cannot_acknowledge_yields_503_not_a_hang) {
    // Nothing listens on port 1: no acknowledgement can come.
    Gateway gateway({{"bootstrap.servers", "127.0.0.1:1"}, {"message.timeout.ms", "1500"}},
                    testing::unique_name("unreachable"));
    const auto response = gateway.post(kValidBody);
    require_problem(response, 503);
}

BOOST_AUTO_TEST_CASE(a_claim_session_the_database_drops_fails_one_answer_then_claims_resume) {
    const auto topic = testing::unique_name("gateway-reconnect");
    BOOST_REQUIRE(!kafka::create_topics(broker(), {{.name = topic, .partitions = 1}}, 30s));
    const auto claims_session = testing::unique_name("claims");
    Gateway gateway(broker(), topic, claims_session);
    const auto first = gateway.post(kValidBody, {{"Idempotency-Key", claims_session + "-1"}});
    BOOST_REQUIRE_EQUAL(first.status, 202);

    // The claim statement is prepared on that session; the server forgets it with the session.
    auto admin = pg::open_session(testing::test_database());
    int terminated = 0;
    *admin << "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) "
              "FROM pg_stat_activity WHERE application_name = :name",
        soci::use(claims_session), soci::into(terminated);
    BOOST_REQUIRE_EQUAL(terminated, 1);

    const auto lost = gateway.post(kValidBody, {{"Idempotency-Key", claims_session + "-2"}});
    require_problem(lost, 503);
    BOOST_TEST(lost.body.find("idempotency-store-unavailable") != std::string::npos);
    // Reconnected and prepared again: the retry is accepted, and a repeat of the first key is
    // answered from its stored record (200, the first order).
    const auto retried = gateway.post(kValidBody, {{"Idempotency-Key", claims_session + "-2"}});
    BOOST_TEST(retried.status == 202);
    const auto repeated = gateway.post(kValidBody, {{"Idempotency-Key", claims_session + "-1"}});
    BOOST_TEST(repeated.status == 200);
    BOOST_TEST(repeated.body == first.body);
}

BOOST_FIXTURE_TEST_CASE(openapi_documents_every_route_and_its_examples_are_accepted,
                        GatewayFixture) {
    const auto response = http_request(gateway->http.port(), "GET", "/openapi.json");
    BOOST_REQUIRE_EQUAL(response.status, 200);
    rapidjson::Document document;
    document.Parse(response.body.c_str());
    BOOST_REQUIRE(!document.HasParseError());
    BOOST_TEST(std::string(document["openapi"].GetString()).starts_with("3."));
    const auto& paths = document["paths"];

    // Every route the router serves is documented: "/orders/*" is a templated path there.
    for (auto [method, path] : gateway->http.server().routes()) {
        std::string documented;
        for (auto it = paths.MemberBegin(); it != paths.MemberEnd(); ++it) {
            const std::string candidate = it->name.GetString();
            const bool same = path.ends_with("*")
                                  ? candidate.starts_with(path.substr(0, path.size() - 1)) &&
                                        candidate.find('{') != std::string::npos
                                  : candidate == path;
            if (same) documented = candidate;
        }
        BOOST_TEST(!documented.empty(), method << " " << path << " is not in proto/openapi.json");
        if (documented.empty()) continue;
        std::transform(method.begin(), method.end(), method.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        BOOST_TEST(paths[documented.c_str()].HasMember(method.c_str()),
                   method << " " << documented);
    }

    // Every example request in the document is accepted.
    const auto& examples =
        paths["/orders"]["post"]["requestBody"]["content"]["application/json"]["examples"];
    BOOST_REQUIRE(examples.MemberCount() >= 1u);
    for (auto it = examples.MemberBegin(); it != examples.MemberEnd(); ++it) {
        rapidjson::StringBuffer body;
        rapidjson::Writer<rapidjson::StringBuffer> writer(body);
        it->value["value"].Accept(writer);
        const auto accepted = gateway->post(body.GetString());
        BOOST_TEST(accepted.status == 202, it->name.GetString() << ": " << accepted.body);
    }
}

namespace {

// Rows written directly, not from a Kafka record (a topic no projector reads).
const gateway::FeedPosition kNoFeed{"test-direct", 0, 0};

std::string at_second(int second) {
    return contracts::format_rfc3339_millis(1795514400000LL + second * 1000LL);
}

// An order of `customer` created at `second`, optionally confirmed, in the real read model.
std::string add_order(gateway::PgOrderViewStore& views,
                      const std::string& customer,
                      int second,
                      bool confirmed) {
    const auto order_id = core::new_uuid();
    views.apply(
        {{gateway::OrderViewChange{
              order_id, at_second(second), gateway::OrderDetails{customer, "USD", "1.00", "[]", 1},
              std::nullopt, gateway::StatusChange{"PENDING", std::nullopt, 0}, at_second(second)},
          kNoFeed}});
    if (confirmed) {
        views.apply({{gateway::OrderViewChange{
                          order_id, at_second(second + 1), std::nullopt,
                          gateway::HistoryEntry{core::new_uuid(), "OrderConfirmed", 3,
                                                at_second(second + 1), "CONFIRMED", std::nullopt},
                          gateway::StatusChange{"CONFIRMED", std::nullopt, 3}, std::nullopt},
                      kNoFeed}});
    }
    return order_id;
}

rapidjson::Document json_of(const testing::HttpResponse& response) {
    rapidjson::Document document;
    document.Parse(response.body.c_str());
    BOOST_REQUIRE_MESSAGE(!document.HasParseError(), response.body);
    return document;
}

// Every page of a listing, following nextCursor; `between` runs after the first page.
std::vector<std::string> all_pages(
    Gateway& gateway, const std::string& query, const std::function<void()>& between = [] {}) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
        const auto response =
            http_request(gateway.http.port(), "GET",
                         "/orders?" + query + (cursor.empty() ? "" : "&cursor=" + cursor));
        BOOST_REQUIRE_MESSAGE(response.status == 200, response.body);
        const auto document = json_of(response);
        for (const auto& item : document["items"].GetArray())
            ids.emplace_back(item["orderId"].GetString());
        if (document["nextCursor"].IsNull()) return ids;
        cursor = document["nextCursor"].GetString();
        if (page == 0) between();
    }
    BOOST_FAIL("paging did not end");
    return ids;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(orders_list_newest_first_in_keyset_pages_stable_under_inserts,
                        GatewayFixture) {
    auto& views = gateway->order_views;
    const auto customer = testing::unique_name("list");
    std::vector<std::string> created;  // oldest first
    for (int i = 0; i < 25; ++i) created.push_back(add_order(views, customer, i * 10, i % 3 == 0));
    const std::vector<std::string> newest_first(created.rbegin(), created.rend());

    // Orders created while a client pages land before its first page, never inside later ones.
    std::vector<std::string> late;
    const auto paged = all_pages(*gateway, "customerId=" + customer + "&limit=10", [&] {
        for (int i = 0; i < 3; ++i) late.push_back(add_order(views, customer, 1000 + i, false));
    });
    BOOST_TEST(paged == newest_first, boost::test_tools::per_element());
    const auto after = all_pages(*gateway, "customerId=" + customer + "&limit=7");
    BOOST_TEST(after.size() == 28U);
    BOOST_TEST(after.front() == late.back());

    const auto confirmed = all_pages(*gateway, "customerId=" + customer + "&status=CONFIRMED");
    BOOST_TEST(confirmed.size() == 9U);  // i = 0, 3, ..., 24
    const auto window = all_pages(
        *gateway, "customerId=" + customer + "&from=" + at_second(50) + "&to=" + at_second(100));
    BOOST_TEST(window == (std::vector<std::string>{created[9], created[8], created[7], created[6],
                                                   created[5]}),
               boost::test_tools::per_element());

    const auto first = json_of(
        http_request(gateway->http.port(), "GET", "/orders?customerId=" + customer + "&limit=1"));
    const auto& item = first["items"][0];
    BOOST_TEST(item["customerId"].GetString() == customer);
    BOOST_TEST(item["status"].GetString() == std::string("PENDING"));
    BOOST_TEST(item["itemCount"].GetInt() == 1);
    BOOST_TEST(item["createdAt"].GetString() == at_second(1002));

    const auto bad = http_request(gateway->http.port(), "GET", "/orders?limit=500&status=LOST");
    require_problem(bad, 400);
    BOOST_TEST(bad.body.find(R"("field":"limit")") != std::string::npos, bad.body);
    BOOST_TEST(bad.body.find(R"("field":"status")") != std::string::npos, bad.body);
}

BOOST_FIXTURE_TEST_CASE(time_travel_shows_the_order_after_each_of_its_events, GatewayFixture) {
    auto& views = gateway->order_views;
    const auto order_id = add_order(views, testing::unique_name("travel"), 0, false);
    const auto apply = [&](std::int64_t version, const std::string& type,
                           std::optional<gateway::StatusChange> status) {
        views.apply({{gateway::OrderViewChange{
                          order_id, at_second(static_cast<int>(version)), std::nullopt,
                          gateway::HistoryEntry{
                              core::new_uuid(), type, version, at_second(static_cast<int>(version)),
                              status ? std::optional(status->status) : std::nullopt,
                              status ? status->cancellation_reason : std::nullopt},
                          status, std::nullopt},
                      kNoFeed}});
    };
    apply(1, "OrderAccepted", gateway::StatusChange{"PENDING", std::nullopt, 1});
    apply(2, "PaymentRequested", std::nullopt);
    apply(3, "OrderCancelled", gateway::StatusChange{"CANCELLED", "PAYMENT_DECLINED", 3});

    const auto port = gateway->http.port();
    const std::vector<std::string> statuses{"PENDING", "PENDING", "CANCELLED"};
    for (int version = 1; version <= 3; ++version) {
        const auto response = http_request(
            port, "GET", "/orders/" + order_id + "?version=" + std::to_string(version));
        BOOST_REQUIRE_MESSAGE(response.status == 200, response.body);
        const auto document = json_of(response);
        BOOST_TEST(document["status"].GetString() ==
                   statuses[static_cast<std::size_t>(version - 1)]);
        BOOST_TEST(document["version"].GetInt() == version);
        BOOST_TEST(document["history"].Size() == static_cast<unsigned>(version));
        BOOST_TEST(document.HasMember("cancellationReason") == (version == 3));
    }
    const auto now = json_of(http_request(port, "GET", "/orders/" + order_id));
    BOOST_TEST(now["cancellationReason"].GetString() == std::string("PAYMENT_DECLINED"));
    require_problem(http_request(port, "GET", "/orders/" + order_id + "?version=4"), 404);
    require_problem(http_request(port, "GET", "/orders/" + order_id + "?version=0"), 400);
    require_problem(http_request(port, "GET", "/orders/" + order_id + "?version=two"), 400);
}
