// The product, end to end: the four apps run as real processes against the broker and the
// PostgreSQL server scripts/test started, and the test drives them only from the outside -
// HTTP, Kafka records, the real Kafka CLI tools and read-only SQL on the event stores.
// Test cases run in order and share one cluster while they need the same configuration.
#include <rapidjson/document.h>
#include <soci/soci.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "ordersource/core/ids.hpp"
#include "ordersource/eventstore/snapshot_store.hpp"
#include "ordersource/kafka/consumer.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/pg/connection.hpp"
#include "ordersource/testing/environment.hpp"
#include "ordersource/testing/http_client.hpp"
#include "ordersource/testing/process.hpp"

using namespace std::chrono_literals;
using namespace ordersource;
using testing::ChildProcess;
using testing::http_request;

namespace {

constexpr auto kFlowDeadline = 90s;  // generous: a sanitizer build on 2 shared cores

struct ClusterOptions {
    int payment_timeout_ms = 30000;
    int payment_delay_ms = 0;
    int payment_instances = 1;
    bool operator==(const ClusterOptions&) const = default;
};

std::string log_dir() {
    const auto dir =
        std::filesystem::path(core::env_string("ORDERSOURCE_STATE_DIR", "/tmp")) / "e2e-logs";
    std::filesystem::create_directories(dir);
    return dir.string();
}

// One instance of every app, wired to the suite's broker and database server.
class Cluster {
  public:
    explicit Cluster(ClusterOptions options) : options_(options), generation_(++generations_) {
        gateway_port_ = testing::free_port();
        start_order_service();
        for (int i = 0; i < options_.payment_instances; ++i) {
            payment_ports_.push_back(testing::free_port());
            payment_.emplace_back();
            start_payment_service(static_cast<std::size_t>(i));
        }
        notifier_port_ = testing::free_port();
        start_notifier();
        start_gateway();
        for (const auto port : {gateway_port_, notifier_port_, order_port_}) {
            BOOST_REQUIRE_MESSAGE(
                testing::eventually([&] { return answers(port, "/health/live"); }, 60s),
                "a service did not come up on port " << port << "\n"
                                                     << logs());
        }
    }
    ~Cluster() {
        // Graceful stop: every service must exit 0 on SIGTERM within its bound.
        for (auto* process : processes()) {
            const auto status = process->stop(SIGTERM, 30s);
            if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
                BOOST_ERROR("service did not stop cleanly: " << process->log_path() << "\n"
                                                             << process->log_tail());
            }
        }
    }

    const ClusterOptions& options() const { return options_; }

    testing::HttpResponse submit(const std::string& body,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
        headers.emplace_back("Content-Type", "application/json");
        return http_request(gateway_port_, "POST", "/orders", headers, body);
    }

    testing::HttpResponse get_order(const std::string& order_id) {
        return get("/orders/" + order_id);
    }
    testing::HttpResponse get(const std::string& path) {
        return http_request(gateway_port_, "GET", path);
    }

    // The order's JSON once its status is `status` (fails with the services' logs otherwise).
    rapidjson::Document await_status(const std::string& order_id, const std::string& status) {
        rapidjson::Document order;
        std::string last;
        const bool reached = testing::eventually(
            [&] {
                const auto response = get_order(order_id);
                last = std::to_string(response.status) + " " + response.body;
                if (response.status != 200) return false;
                order.Parse(response.body.c_str());
                return !order.HasParseError() && order.HasMember("status") &&
                       order["status"].GetString() == status;
            },
            kFlowDeadline, 100ms);
        BOOST_REQUIRE_MESSAGE(reached, "order " << order_id << " never became " << status
                                                << "; last answer: " << last << "\n"
                                                << logs());
        return order;
    }

    // Any terminal status.
    std::string await_terminal(const std::string& order_id) {
        std::string status;
        const bool reached = testing::eventually(
            [&] {
                const auto response = get_order(order_id);
                if (response.status != 200) return false;
                rapidjson::Document order;
                order.Parse(response.body.c_str());
                status = order.HasParseError() ? "" : order["status"].GetString();
                return status == "CONFIRMED" || status == "CANCELLED" || status == "REFUNDED";
            },
            kFlowDeadline, 100ms);
        BOOST_REQUIRE_MESSAGE(reached, "order " << order_id << " stuck at '" << status << "'\n"
                                                << logs());
        return status;
    }

    testing::HttpResponse notifications_raw(const std::string& query) {
        return http_request(notifier_port_, "GET", "/notifications?" + query);
    }

    // The notification kinds recorded for the order, in order.
    std::vector<std::string> notification_kinds(const std::string& order_id) {
        const auto response =
            http_request(notifier_port_, "GET", "/notifications?orderId=" + order_id);
        BOOST_REQUIRE_EQUAL(response.status, 200);
        rapidjson::Document list;
        list.Parse(response.body.c_str());
        BOOST_REQUIRE(!list.HasParseError() && list.IsArray());
        std::vector<std::string> kinds;
        for (const auto& item : list.GetArray()) kinds.emplace_back(item["kind"].GetString());
        return kinds;
    }

    // Each service's port by name: gateway, order-service, payment-service, notification-observer.
    std::uint16_t port_of(const std::string& name) const {
        if (name == "gateway") return gateway_port_;
        if (name == "order-service") return order_port_;
        if (name == "payment-service") return payment_ports_.front();
        return notifier_port_;
    }

    void kill_order_service() { order_->stop(SIGKILL, 10s); }
    // Everything every order-service instance of this cluster logged (they share the file).
    std::string order_service_log() const {
        std::ifstream in(order_->log_path());
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    // SIGTERM, which must end the service with status 0 within 30 s, then (after
    // `while_stopped`) a new instance on the same port.
    void restart_gracefully(
        const std::string& name, const std::function<void()>& while_stopped = [] {}) {
        auto& process = name == "gateway"           ? gateway_
                        : name == "order-service"   ? order_
                        : name == "payment-service" ? payment_.front()
                                                    : notifier_;
        const auto status = process->stop(SIGTERM, 30s);
        BOOST_TEST((status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0),
                   name << " did not exit 0 on SIGTERM\n"
                        << process->log_tail());
        while_stopped();
        if (name == "gateway") start_gateway();
        if (name == "order-service") start_order_service(order_port_);
        if (name == "payment-service") start_payment_service(0);
        if (name == "notification-observer") start_notifier();
        BOOST_REQUIRE_MESSAGE(
            testing::eventually([&] { return answers(port_of(name), "/health/live"); }, 60s),
            name << " did not come back\n"
                 << logs());
    }
    void start_order_service(std::uint16_t port = 0) {
        order_port_ = port != 0 ? port : testing::free_port();
        order_ = start("order-service", ORDERSOURCE_ORDER_SERVICE_BIN,
                       {{"ORDER_SERVICE_PORT", std::to_string(order_port_)},
                        {"ORDER_PAYMENT_TIMEOUT_MS", std::to_string(options_.payment_timeout_ms)}});
    }
    void start_payment_service(std::size_t index) {
        payment_[index] =
            start("payment-service-" + std::to_string(index), ORDERSOURCE_PAYMENT_SERVICE_BIN,
                  {{"PAYMENT_SERVICE_PORT", std::to_string(payment_ports_[index])},
                   {"PAYMENT_DELAY_MS", std::to_string(options_.payment_delay_ms)},
                   // Accounts are snapshotted every few events, so every flow here that
                   // loads an account cold (restarts, a second instance) restores one (ADR 22).
                   {"PAYMENT_SNAPSHOT_EVERY", "4"}});
    }
    void start_notifier() {
        notifier_ = start("notification-observer", ORDERSOURCE_NOTIFIER_BIN,
                          {{"NOTIFIER_PORT", std::to_string(notifier_port_)}});
    }
    void start_gateway() {
        gateway_ = start("gateway", ORDERSOURCE_GATEWAY_BIN,
                         {{"GATEWAY_PORT", std::to_string(gateway_port_)}});
    }
    void await_order_service() {
        BOOST_REQUIRE(
            testing::eventually([&] { return answers(order_port_, "/health/live"); }, 60s));
    }

    std::string logs() {
        std::string text;
        for (auto* process : processes())
            text += "---- " + process->log_path() + "\n" + process->log_tail(15);
        return text;
    }

  private:
    std::unique_ptr<ChildProcess> start(const std::string& name,
                                        const std::string& binary,
                                        std::map<std::string, std::string> environment) {
        environment.emplace("LOG_LEVEL", "info");
        const auto log = log_dir() + "/" + std::to_string(generation_) + "-" + name + ".log";
        return std::make_unique<ChildProcess>(binary, environment, log);
    }
    static bool answers(std::uint16_t port, const std::string& path) {
        try {
            return http_request(port, "GET", path).status == 200;
        } catch (const std::exception&) {
            return false;
        }
    }
    std::vector<ChildProcess*> processes() {
        // The gateway first: no new orders while the others drain.
        std::vector<ChildProcess*> all{gateway_.get(), order_.get()};
        for (auto& payment : payment_) all.push_back(payment.get());
        all.push_back(notifier_.get());
        std::erase(all, nullptr);
        return all;
    }

    ClusterOptions options_;
    int generation_;
    static inline int generations_ = 0;
    std::uint16_t gateway_port_ = 0;
    std::uint16_t notifier_port_ = 0;
    std::uint16_t order_port_ = 0;
    std::vector<std::uint16_t> payment_ports_;
    std::unique_ptr<ChildProcess> order_;
    std::vector<std::unique_ptr<ChildProcess>> payment_;
    std::unique_ptr<ChildProcess> notifier_;
    std::unique_ptr<ChildProcess> gateway_;
};

// Test cases that need the same configuration share a running cluster; another
// configuration stops it first (the services share their consumer groups).
std::unique_ptr<Cluster>& current_cluster() {
    static std::unique_ptr<Cluster> cluster;
    return cluster;
}
Cluster& cluster_with(ClusterOptions options = {}) {
    auto& cluster = current_cluster();
    if (!cluster || !(cluster->options() == options)) {
        cluster.reset();
        cluster = std::make_unique<Cluster>(options);
    }
    return *cluster;
}
struct StopClusterAtExit {
    ~StopClusterAtExit() { current_cluster().reset(); }
};
BOOST_TEST_GLOBAL_FIXTURE(StopClusterAtExit);

std::string order_body(const std::string& customer,
                       const std::string& unit_price,
                       int quantity = 1) {
    return R"({"customerId":")" + customer +
           R"(","currency":"USD","items":[{"sku":"SKU-1","quantity":)" + std::to_string(quantity) +
           R"(,"unitPrice":")" + unit_price + R"("}]})";
}

std::string order_id_of(const testing::HttpResponse& response) {
    rapidjson::Document body;
    body.Parse(response.body.c_str());
    BOOST_REQUIRE_MESSAGE(!body.HasParseError() && body.HasMember("orderId"), response.body);
    return body["orderId"].GetString();
}

std::string accepted_order(Cluster& cluster,
                           const std::string& body,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    const auto response = cluster.submit(body, std::move(headers));
    BOOST_REQUIRE_MESSAGE(response.status == 202, response.status << " " << response.body);
    return order_id_of(response);
}

std::vector<std::string> history_types(const rapidjson::Document& order) {
    std::vector<std::string> types;
    for (const auto& entry : order["history"].GetArray())
        types.emplace_back(entry["type"].GetString());
    return types;
}

// Read-only SQL on a service's event store.
long count_events(const std::string& database,
                  const std::string& type,
                  const std::string& order_id) {
    const auto session =
        pg::open_session(pg::ConnectionSettings::from_env("E2E_UNUSED_DATABASE", database));
    long count = 0;
    *session << "SELECT count(*) FROM " + database +
                    ".events WHERE event_type = :type AND payload->>'orderId' = :id",
        soci::use(type), soci::use(order_id), soci::into(count);
    return count;
}

// stdout of a command (the project's wrapper scripts).
std::string run(const std::string& command) {
    std::string output;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    BOOST_REQUIRE(pipe);
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        output.append(buffer.data(), n);
    return output;
}

std::string script(const std::string& name) {
    return testing::source_dir() + "/scripts/" + name;
}

// True once `group` has consumed everything on `topic` (LAG 0 on every partition), per the
// real kafka-consumer-groups tool.
bool caught_up(const std::string& group, const std::string& topic) {
    const auto described =
        run(script("kafka-consumer-groups") + " --describe --group " + group + " 2>/dev/null");
    std::istringstream lines(described);
    int partitions = 0;
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string group_field, topic_field, partition, current, end, lag;
        fields >> group_field >> topic_field >> partition >> current >> end >> lag;
        if (group_field != group || topic_field != topic) continue;
        ++partitions;
        // "-": nothing committed yet, which is only caught up for an empty partition.
        if (lag != "0" && !(lag == "-" && end == "0")) return false;
    }
    return partitions > 0;
}

kafka::Properties broker() {
    return {{"bootstrap.servers", testing::kafka_bootstrap()}};
}

// Every record on `topic` whose key is `key`, read from the beginning.
std::vector<kafka::Record> records_with_key(const std::string& topic,
                                            const std::string& key,
                                            std::size_t at_least) {
    auto config = broker();
    config["group.id"] = testing::unique_name("e2e-reader");
    kafka::Consumer consumer(config, {topic});
    std::vector<kafka::Record> found;
    testing::eventually(
        [&] {
            if (auto record = consumer.poll(200ms); record && record->key == key)
                found.push_back(std::move(*record));
            return found.size() >= at_least;
        },
        60s, 0ms);
    return found;
}

}  // namespace

BOOST_AUTO_TEST_CASE(happy_path_order_is_confirmed_notified_and_visible_with_the_console_consumer) {
    auto& cluster = cluster_with();
    const auto customer = testing::unique_name("happy");
    const auto correlation = testing::unique_name("corr");
    const auto order_id = accepted_order(cluster, order_body(customer, "49.99", 2),
                                         {{"X-Correlation-Id", correlation}});

    const auto order = cluster.await_status(order_id, "CONFIRMED");
    BOOST_TEST(std::string(order["customerId"].GetString()) == customer);
    BOOST_TEST(std::string(order["total"].GetString()) == "99.98");
    BOOST_TEST(std::string(order["currency"].GetString()) == "USD");
    BOOST_TEST(order["items"].GetArray().Size() == 1u);
    const auto history = history_types(order);
    BOOST_TEST((std::find(history.begin(), history.end(), "OrderConfirmed") != history.end()));
    BOOST_TEST(!order.HasMember("cancellationReason"));

    BOOST_REQUIRE(testing::eventually(
        [&] { return cluster.notification_kinds(order_id).size() == 2; }, kFlowDeadline));
    BOOST_TEST(cluster.notification_kinds(order_id) ==
               (std::vector<std::string>{"ACCEPTED", "CONFIRMED"}));

    // What a user types to inspect the topic: key and headers on every line.
    const auto printed =
        run(script("kafka-console-consumer") +
            " --topic order-events --from-beginning --timeout-ms 10000"
            " --property print.key=true --property print.headers=true 2>/dev/null");
    std::istringstream lines(printed);
    std::vector<std::string> order_lines;
    for (std::string line; std::getline(lines, line);) {
        if (line.find(order_id) != std::string::npos) order_lines.push_back(line);
    }
    BOOST_REQUIRE_MESSAGE(order_lines.size() >= 3, printed.substr(0, 2000));
    for (const auto& line : order_lines) {
        BOOST_TEST(line.find("correlation-id:" + correlation) != std::string::npos);
        BOOST_TEST(line.find("\t" + order_id + "\t") != std::string::npos);  // the key column
    }
    BOOST_TEST(printed.find("event-type:OrderConfirmed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_service_serves_prometheus_metrics_a_real_parser_accepts) {
    auto& cluster = cluster_with();
    const std::vector<std::pair<std::string, std::string>> expected{
        {"gateway",
         "http_requests_total http_request_duration_seconds consumer_lag_records "
         "dead_letters_total projection_checkpoint_lag_records gateway_idempotency_claim_seconds "
         "gateway_idempotency_claim_write_seconds gateway_order_publish_seconds"},
        {"order-service",
         "events_appended_total orders_terminal_total relay_lag_events consumer_lag_records "
         "dead_letters_total http_requests_total eventstore_appends_total eventstore_groups_total "
         "deadline_pending_orders"},
        {"payment-service",
         "events_appended_total relay_lag_events consumer_lag_records eventstore_appends_total"},
        {"notification-observer", "consumer_lag_records consumer_records_handled_total"}};
    for (const auto& [service, names] : expected) {
        const auto response = http_request(cluster.port_of(service), "GET", "/metrics");
        BOOST_TEST(response.status == 200, service);
        BOOST_TEST(response.header("content-type").starts_with("text/plain; version=0.0.4"),
                   service);
        const auto file = log_dir() + "/metrics-" + service + ".txt";
        std::ofstream(file) << response.body;
        const auto verdict =
            run("/usr/bin/python3 " + testing::source_dir() +
                "/tests/scripts/check_prometheus_text.py " + names + " < " + file + " 2>&1");
        BOOST_TEST(verdict.starts_with("ok:"), service << ": " << verdict);
    }
}

// Readiness names each check; the order-service's includes its deadline index (ADR 20).
BOOST_AUTO_TEST_CASE(every_service_is_ready_and_says_which_checks_passed) {
    auto& cluster = cluster_with();
    const std::vector<std::pair<std::string, std::string>> expected{
        {"gateway", R"({"status":"UP","checks":{"database":"UP","kafka":"UP"}})"},
        {"order-service",
         R"({"status":"UP","checks":{"database":"UP","kafka":"UP","deadlines":"UP"}})"},
        {"payment-service", R"({"status":"UP","checks":{"database":"UP","kafka":"UP"}})"},
        {"notification-observer", R"({"status":"UP","checks":{"database":"UP","kafka":"UP"}})"}};
    for (const auto& [service, body] : expected) {
        const auto response = http_request(cluster.port_of(service), "GET", "/health/ready");
        BOOST_TEST(response.status == 200, service);
        BOOST_TEST(response.body == body, service);
    }
}

BOOST_AUTO_TEST_CASE(unknown_and_malformed_order_ids_get_json_problems) {
    auto& cluster = cluster_with();
    const auto unknown = cluster.get_order(core::new_uuid());
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(unknown.header("content-type") == "application/problem+json");
    const auto malformed = cluster.get_order("not-an-order-id");
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(malformed.header("content-type") == "application/problem+json");
    const auto notifications = cluster.notifications_raw("orderId=nope");
    BOOST_TEST(notifications.status == 400);
    BOOST_TEST(notifications.body.find("orderId") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(order_over_the_credit_limit_is_cancelled_as_payment_declined) {
    auto& cluster = cluster_with();
    const auto customer = testing::unique_name("big");
    const auto order_id = accepted_order(cluster, order_body(customer, "1500.00"));
    const auto order = cluster.await_status(order_id, "CANCELLED");
    BOOST_TEST(std::string(order["cancellationReason"].GetString()) == "PAYMENT_DECLINED");
    // The list query finds it by customer and status.
    const auto listed = cluster.get("/orders?customerId=" + customer + "&status=CANCELLED");
    BOOST_TEST(listed.status == 200);
    BOOST_TEST(listed.body.find(R"({"items":[{"orderId":")" + order_id) == 0U, listed.body);
    BOOST_TEST(listed.body.find(R"("nextCursor":null)") != std::string::npos, listed.body);
    BOOST_REQUIRE(testing::eventually(
        [&] { return cluster.notification_kinds(order_id).size() == 2; }, kFlowDeadline));
    BOOST_TEST(cluster.notification_kinds(order_id) ==
               (std::vector<std::string>{"ACCEPTED", "CANCELLED"}));
}

BOOST_AUTO_TEST_CASE(idempotent_resubmission_replays_and_key_reuse_with_another_body_conflicts) {
    auto& cluster = cluster_with();
    const auto customer = testing::unique_name("idem");
    const auto key = testing::unique_name("key");
    const auto body = order_body(customer, "10.00");
    const auto order_id = accepted_order(cluster, body, {{"Idempotency-Key", key}});

    const auto replay = cluster.submit(body, {{"Idempotency-Key", key}});
    BOOST_TEST(replay.status == 200);
    BOOST_TEST(replay.header("idempotent-replayed") == "true");
    BOOST_TEST(order_id_of(replay) == order_id);

    const auto conflict = cluster.submit(order_body(customer, "11.00"), {{"Idempotency-Key", key}});
    BOOST_TEST(conflict.status == 409);
    BOOST_TEST(conflict.header("content-type") == "application/problem+json");

    cluster.await_status(order_id, "CONFIRMED");
    BOOST_TEST(count_events("order_service", "OrderAccepted", order_id) == 1);
    BOOST_TEST(count_events("payment_service", "PaymentAuthorized", order_id) == 1);
}

namespace {

// The value of one sample line ("name{labels} value") of a /metrics body; -1 when absent.
double metric_sample(const std::string& metrics, const std::string& sample) {
    const auto at = metrics.find("\n" + sample + " ");
    return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + sample.size() + 2));
}

}  // namespace

// What an operator reads to tell where a slow 202 waited: its claim or Kafka's ack.
BOOST_AUTO_TEST_CASE(the_gateway_times_each_orders_claim_and_kafka_acknowledgement) {
    auto& cluster = cluster_with();
    const auto scrape = [&] {
        return http_request(cluster.port_of("gateway"), "GET", "/metrics").body;
    };
    const auto before = scrape();
    accepted_order(cluster, order_body(testing::unique_name("timed"), "10.00"),
                   {{"Idempotency-Key", testing::unique_name("key")}});
    accepted_order(cluster, order_body(testing::unique_name("timed"), "10.00"));
    // Both are observed before the 202 is written, so the scrape after it sees them.
    const auto after = scrape();
    for (const auto& [sample, added] :
         {std::pair<std::string, double>{"gateway_idempotency_claim_seconds_count", 1.0},
          {"gateway_idempotency_claim_write_seconds_count", 1.0},
          {"gateway_order_publish_seconds_count", 2.0}}) {
        BOOST_TEST(metric_sample(before, sample) >= 0.0, sample);
        BOOST_TEST(metric_sample(after, sample) - metric_sample(before, sample) >= added, sample);
    }
    BOOST_TEST(metric_sample(after, "gateway_order_publish_seconds_sum") > 0.0);
}

BOOST_AUTO_TEST_CASE(redelivered_events_have_no_second_effect) {
    auto& cluster = cluster_with();
    const auto order_id = accepted_order(cluster, order_body(testing::unique_name("dup"), "20.00"));
    cluster.await_status(order_id, "CONFIRMED");
    BOOST_REQUIRE(testing::eventually(
        [&] { return cluster.notification_kinds(order_id).size() == 2; }, kFlowDeadline));

    // Produce again, byte for byte, what every consumer already handled.
    kafka::Producer producer(broker());
    auto created = records_with_key("order-created", order_id, 1);
    auto order_events = records_with_key("order-events", order_id, 3);
    auto payment_events = records_with_key("payment-events", order_id, 1);
    BOOST_REQUIRE(!created.empty() && order_events.size() >= 3 && !payment_events.empty());
    for (const auto* records : {&created, &order_events, &payment_events}) {
        for (const auto& record : *records) {
            BOOST_REQUIRE(
                !producer.produce_and_wait({record.topic, record.key, record.value, record.headers})
                     .error);
        }
    }
    for (const auto& [group, topic] : std::vector<std::pair<std::string, std::string>>{
             {"order-service", "order-created"},
             {"order-service", "payment-events"},
             {"payment-service", "order-events"},
             {"notification-observer", "order-events"}}) {
        BOOST_REQUIRE_MESSAGE(
            testing::eventually([&] { return caught_up(group, topic); }, kFlowDeadline, 500ms),
            group << " never caught up on " << topic);
    }
    BOOST_TEST(count_events("order_service", "OrderAccepted", order_id) == 1);
    BOOST_TEST(count_events("order_service", "OrderConfirmed", order_id) == 1);
    BOOST_TEST(count_events("payment_service", "PaymentAuthorized", order_id) == 1);
    BOOST_TEST(cluster.notification_kinds(order_id) ==
               (std::vector<std::string>{"ACCEPTED", "CONFIRMED"}));
    BOOST_TEST(std::string(cluster.await_status(order_id, "CONFIRMED")["status"].GetString()) ==
               "CONFIRMED");
}

BOOST_AUTO_TEST_CASE(garbage_on_order_created_goes_to_dead_letters_and_orders_still_flow) {
    auto& cluster = cluster_with();
    const auto key = testing::unique_name("garbage");
    kafka::Producer producer(broker());
    BOOST_REQUIRE(
        !producer.produce_and_wait({"order-created", key, "this is not an order {"}).error);

    const auto letters = records_with_key("dead-letters", key, 1);
    BOOST_REQUIRE_MESSAGE(!letters.empty(), "no dead letter for " << key << "\n" << cluster.logs());
    BOOST_TEST(letters.front().value == "this is not an order {");
    BOOST_TEST(letters.front().header("dlq-source-topic").value_or("") == "order-created");
    BOOST_TEST(!letters.front().header("dlq-reason").value_or("").empty());
    BOOST_TEST(!letters.front().header("dlq-consumer-group").value_or("").empty());

    const auto order_id =
        accepted_order(cluster, order_body(testing::unique_name("after"), "5.00"));
    cluster.await_status(order_id, "CONFIRMED");
}

BOOST_AUTO_TEST_CASE(order_without_a_timely_payment_is_cancelled_then_refunded_when_it_lands) {
    auto& cluster = cluster_with({.payment_timeout_ms = 2000, .payment_delay_ms = 6000});
    const auto order_id =
        accepted_order(cluster, order_body(testing::unique_name("slow"), "30.00"));
    const auto cancelled = cluster.await_status(order_id, "CANCELLED");
    BOOST_TEST(std::string(cancelled["cancellationReason"].GetString()) == "TIMEOUT");
    const auto refunded = cluster.await_status(order_id, "REFUNDED");
    const auto history = history_types(refunded);
    for (const char* type : {"OrderCancelled", "RefundRequested", "OrderRefunded"}) {
        BOOST_TEST((std::find(history.begin(), history.end(), type) != history.end()), type);
    }
    BOOST_TEST(count_events("payment_service", "PaymentRefunded", order_id) == 1);
    // Time travel: the read model's history replayed to each version shows every step.
    std::vector<std::string> statuses;
    for (std::size_t version = 1; version <= history.size(); ++version) {
        const auto past = cluster.get_order(order_id + "?version=" + std::to_string(version));
        BOOST_REQUIRE_MESSAGE(past.status == 200, past.body);
        rapidjson::Document document;
        document.Parse(past.body.c_str());
        statuses.emplace_back(document["status"].GetString());
    }
    BOOST_TEST(statuses == (std::vector<std::string>{"PENDING", "PENDING", "CANCELLED", "CANCELLED",
                                                     "REFUNDED"}),
               boost::test_tools::per_element());
    BOOST_REQUIRE(testing::eventually(
        [&] { return cluster.notification_kinds(order_id).size() == 3; }, kFlowDeadline));
    BOOST_TEST(cluster.notification_kinds(order_id) ==
               (std::vector<std::string>{"ACCEPTED", "CANCELLED", "REFUNDED"}));
}

// ADR 20: the deadline index survives a restart as a snapshot. An order still waiting for its
// payment when the order-service stops, overdue by the time it is back, is cancelled by the new
// instance, which restored the index instead of reading the store from its start.
BOOST_AUTO_TEST_CASE(
    an_order_overdue_while_the_order_service_restarts_is_cancelled_from_its_snapshot) {
    auto& cluster = cluster_with({.payment_timeout_ms = 2000, .payment_delay_ms = 6000});
    const auto order_id =
        accepted_order(cluster, order_body(testing::unique_name("restart"), "31.00"));
    BOOST_REQUIRE(testing::eventually(
        [&] { return count_events("order_service", "PaymentRequested", order_id) == 1; },
        kFlowDeadline));
    const auto overdue = std::chrono::steady_clock::now() + 2s;  // the payment timeout
    const auto logged_before = cluster.order_service_log().size();
    cluster.restart_gracefully("order-service", [&] {
        BOOST_REQUIRE(
            testing::eventually([&] { return std::chrono::steady_clock::now() > overdue; }, 10s));
    });
    const auto cancelled = cluster.await_status(order_id, "CANCELLED");
    BOOST_TEST(std::string(cancelled["cancellationReason"].GetString()) == "TIMEOUT");
    const auto restarted = cluster.order_service_log().substr(logged_before);
    BOOST_TEST(restarted.find(R"("message":"deadline index restored","from":"snapshot")") !=
                   std::string::npos,
               restarted.substr(0, 2000));
    // The new instance cancelled it (the old one was stopped well before the deadline).
    BOOST_TEST(restarted.find(R"("message":"order events recorded","order_id":")" + order_id) !=
               std::string::npos);
}

// ADR 22: a restarted payment-service restores accounts from their snapshots and decides on
// the whole account: the credit used before the restart is still used.
BOOST_AUTO_TEST_CASE(
    a_restarted_payment_service_restores_accounts_and_their_credit_from_snapshots) {
    auto& cluster = cluster_with();
    // A customer whose account's snapshots fall on multiples of 4 (offset 0, ADR 22
    // amendment), so the versions below read plainly.
    auto customer = testing::unique_name("snap");
    while (eventstore::snapshot_offset(eventstore::StreamId{"account-" + customer}, 4) != 0)
        customer = testing::unique_name("snap");
    std::vector<std::string> orders;
    for (int i = 0; i < 6; ++i)
        orders.push_back(accepted_order(cluster, order_body(customer, "150.00")));
    for (const auto& order_id : orders) cluster.await_status(order_id, "CONFIRMED");
    const auto session = pg::open_session(
        pg::ConnectionSettings::from_env("E2E_UNUSED_DATABASE", "payment_service"));
    const auto account = "account-" + customer;  // bound by reference: must outlive the query
    long snapshot_version = 0;
    *session << "SELECT coalesce(max(stream_version), 0) FROM payment_service.stream_snapshots "
                "WHERE stream_id = :stream",
        soci::use(account), soci::into(snapshot_version);
    // 6 authorizations cross a multiple of 4 once: saved at the version that batch reached.
    BOOST_TEST(snapshot_version >= 4);

    cluster.restart_gracefully("payment-service");
    // 900.00 of the 1000.00 limit is used: 100.01 more is declined, 100.00 fits.
    const auto over = accepted_order(cluster, order_body(customer, "100.01"));
    const auto declined = cluster.await_status(over, "CANCELLED");
    BOOST_TEST(std::string(declined["cancellationReason"].GetString()) == "PAYMENT_DECLINED");
    const auto within = accepted_order(cluster, order_body(customer, "100.00"));
    cluster.await_status(within, "CONFIRMED");
    const auto metrics = http_request(cluster.port_of("payment-service"), "GET", "/metrics").body;
    // Absent, the sample reads -1.
    BOOST_TEST(metric_sample(metrics, "account_loads_total{from=\"snapshot\"}") >= 1.0, metrics);
}

BOOST_AUTO_TEST_CASE(two_payment_instances_in_one_group_process_each_order_exactly_once) {
    auto& cluster = cluster_with({.payment_instances = 2});
    // One customer, so both instances also race on the same account stream.
    const auto customer = testing::unique_name("pair");
    std::vector<std::string> orders;
    for (int i = 0; i < 16; ++i)
        orders.push_back(accepted_order(cluster, order_body(customer, "10.00")));
    for (const auto& order_id : orders) {
        cluster.await_status(order_id, "CONFIRMED");
        BOOST_TEST(count_events("payment_service", "PaymentAuthorized", order_id) == 1);
    }
}

BOOST_AUTO_TEST_CASE(order_service_killed_mid_run_loses_no_accepted_order) {
    auto& cluster = cluster_with({.payment_instances = 1});
    const auto customer = testing::unique_name("crash");
    std::vector<std::string> orders;
    for (int i = 0; i < 20; ++i) {
        if (i == 8) cluster.kill_order_service();
        if (i == 14) cluster.start_order_service();
        orders.push_back(accepted_order(cluster, order_body(customer, "1.00")));
    }
    cluster.await_order_service();
    for (const auto& order_id : orders) {
        BOOST_TEST(cluster.await_terminal(order_id) == "CONFIRMED");
        BOOST_TEST(count_events("order_service", "OrderAccepted", order_id) == 1);
    }
}

BOOST_AUTO_TEST_CASE(sigterm_to_each_service_under_load_loses_no_accepted_order) {
    auto& cluster = cluster_with({.payment_instances = 1});
    const auto customer = testing::unique_name("drain");
    std::mutex mutex;
    std::vector<std::string> accepted;
    std::atomic<int> refused{0};
    std::jthread load([&](std::stop_token stop) {
        while (!stop.stop_requested()) {
            try {
                const auto response = cluster.submit(order_body(customer, "0.50"));
                if (response.status == 202) {
                    const std::lock_guard lock(mutex);
                    accepted.push_back(order_id_of(response));
                } else {
                    ++refused;  // 503 while draining: not accepted, the client retries
                }
            } catch (const std::exception&) {
                ++refused;  // the gateway is between instances
            }
            std::this_thread::sleep_for(20ms);
        }
    });
    for (const char* service :
         {"order-service", "payment-service", "notification-observer", "gateway"}) {
        std::this_thread::sleep_for(1s);
        cluster.restart_gracefully(service);
    }
    std::this_thread::sleep_for(1s);
    load.request_stop();
    load.join();
    BOOST_TEST_MESSAGE(accepted.size()
                       << " orders accepted, " << refused.load() << " refused while restarting");
    BOOST_REQUIRE(accepted.size() >= 20u);
    for (const auto& order_id : accepted) {
        BOOST_TEST(cluster.await_terminal(order_id) == "CONFIRMED");
    }
}

// ---- projections and replay (scripts/replay wraps the same binary) ----------------------

namespace {

struct CommandResult {
    int status = -1;
    std::string output;
};

// Exit status and stdout+stderr of a command.
CommandResult run_status(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe))
        result.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string replay_command(const std::string& arguments) {
    return std::string(ORDERSOURCE_REPLAY_BIN) + " " + arguments;
}

long gateway_count(const std::string& query) {
    const auto session =
        pg::open_session(pg::ConnectionSettings::from_env("E2E_UNUSED_DATABASE", "gateway"));
    long count = 0;
    *session << query, soci::into(count);
    return count;
}

// Starts `replay <arguments>` and SIGKILLs it as soon as its checkpoint table holds a row,
// so the next run has something to resume.
void kill_rebuild_once_checkpointed(const std::vector<std::string>& arguments,
                                    const std::string& checkpoint_table,
                                    const std::string& log_name) {
    ChildProcess rebuild(ORDERSOURCE_REPLAY_BIN, {}, log_dir() + "/" + log_name, arguments);
    const bool checkpointed = testing::eventually(
        [&] {
            return gateway_count("SELECT count(*) FROM pg_tables WHERE tablename = '" +
                                 checkpoint_table + "'") == 1 &&
                   gateway_count("SELECT count(*) FROM " + checkpoint_table) > 0;
        },
        60s, 5ms);
    BOOST_REQUIRE_MESSAGE(checkpointed,
                          "the rebuild never stored a checkpoint in " << checkpoint_table);
    BOOST_REQUIRE(rebuild.stop(SIGKILL, 10s).has_value());
}

// A customer placing an order every 100 ms (~10/s: steady traffic a sanitizer build on 2
// cores keeps up with) until stopped; the ids of the accepted ones.
class SteadyOrders {
  public:
    SteadyOrders(Cluster& cluster, std::string customer)
        : thread_([this, &cluster, customer = std::move(customer)](std::stop_token stop) {
              while (!stop.stop_requested()) {
                  const auto response = cluster.submit(order_body(customer, "3.00"));
                  if (response.status == 202) {
                      const std::lock_guard lock(mutex_);
                      accepted_.push_back(order_id_of(response));
                  }
                  std::this_thread::sleep_for(100ms);
              }
          }) {}

    std::size_t count() {
        const std::lock_guard lock(mutex_);
        return accepted_.size();
    }
    // Waits until `more` orders beyond those accepted so far are accepted.
    void await_more(std::size_t more) {
        const auto target = count() + more;
        BOOST_REQUIRE_MESSAGE(testing::eventually([&] { return count() >= target; }, 60s),
                              "orders stopped flowing at " << count());
    }
    std::vector<std::string> stop() {
        thread_.request_stop();
        thread_.join();
        const std::lock_guard lock(mutex_);
        return accepted_;
    }

  private:
    std::mutex mutex_;
    std::vector<std::string> accepted_;
    std::jthread thread_;  // last: stopped and joined before the members it uses go
};

}  // namespace

BOOST_AUTO_TEST_CASE(order_views_equal_a_replay_and_a_corrupted_row_is_found_then_fixed) {
    auto& cluster = cluster_with();
    const auto order_id =
        accepted_order(cluster, order_body(testing::unique_name("replay"), "12.50"));
    cluster.await_status(order_id, "CONFIRMED");

    const auto clean = run_status(replay_command("projections --verify"));
    BOOST_TEST(clean.status == 0, clean.output);
    BOOST_TEST(clean.output.find(", 0 differences") != std::string::npos, clean.output);

    const auto session =
        pg::open_session(pg::ConnectionSettings::from_env("E2E_UNUSED_DATABASE", "gateway"));
    *session << "UPDATE order_summaries SET total = '0.01' WHERE order_id = CAST(:id AS uuid)",
        soci::use(order_id);
    const auto corrupt = run_status(replay_command("projections --verify"));
    BOOST_TEST(corrupt.status == 1, corrupt.output);
    BOOST_TEST(corrupt.output.find("live only order_summaries: (" + order_id) != std::string::npos,
               corrupt.output);
    BOOST_TEST(
        corrupt.output.find("rebuilt only order_summaries: (" + order_id) != std::string::npos,
        corrupt.output);
    BOOST_TEST(corrupt.output.find(", 2 differences") != std::string::npos, corrupt.output);

    const auto rebuilt = run_status(replay_command("projections"));
    BOOST_TEST(rebuilt.status == 0, rebuilt.output);
    BOOST_TEST(rebuilt.output.find("swapped in") != std::string::npos, rebuilt.output);
    const auto fixed = cluster.get_order(order_id);
    BOOST_TEST(fixed.body.find(R"("total":"12.50")") != std::string::npos, fixed.body);
    const auto again = run_status(replay_command("projections --verify"));
    BOOST_TEST(again.status == 0, again.output);
}

BOOST_AUTO_TEST_CASE(a_killed_rebuild_resumes_and_rebuilds_under_load_lose_no_order) {
    auto& cluster = cluster_with();
    // Orders keep arriving through both rebuilds.
    SteadyOrders customer(cluster, testing::unique_name("flowing"));
    customer.await_more(3);
    // One event per transaction so the first run is surely killed mid-way.
    kill_rebuild_once_checkpointed({"projections", "--fresh", "--batch", "1"},
                                   "order_views_offsets_shadow", "replay-killed.log");
    const auto resumed = run_status(replay_command("projections"));
    BOOST_TEST(resumed.status == 0, resumed.output);
    BOOST_TEST(resumed.output.find("resumed after") != std::string::npos, resumed.output);
    const auto second = run_status(replay_command("projections --fresh"));
    BOOST_TEST(second.status == 0, second.output);
    customer.await_more(3);  // some after the swap, too
    const auto submitted = customer.stop();
    for (const auto& order_id : submitted) cluster.await_terminal(order_id);
    const auto verified = run_status(replay_command("projections --verify"));
    BOOST_TEST(verified.status == 0, verified.output);
    BOOST_TEST(verified.output.find(", 0 differences") != std::string::npos, verified.output);
}

BOOST_AUTO_TEST_CASE(a_rebuild_from_the_event_store_equals_one_from_kafka_and_hands_over_live) {
    auto& cluster = cluster_with();
    const auto corrupted =
        accepted_order(cluster, order_body(testing::unique_name("from-store"), "7.25"));
    cluster.await_status(corrupted, "CONFIRMED");
    const auto session =
        pg::open_session(pg::ConnectionSettings::from_env("E2E_UNUSED_DATABASE", "gateway"));
    *session << "UPDATE order_summaries SET total = '0.01', created_at = created_at - interval "
                "'1 day' WHERE order_id = CAST(:id AS uuid)",
        soci::use(corrupted);
    SteadyOrders customer(cluster, testing::unique_name("flowing-store"));
    customer.await_more(3);
    // Killed once it has a store position; a resume from Kafka is refused, from the store it
    // goes on.
    kill_rebuild_once_checkpointed({"projections", "--from", "store", "--fresh", "--batch", "1"},
                                   "order_views_store_position_shadow", "replay-store-killed.log");
    const auto mixed = run_status(replay_command("projections"));
    BOOST_TEST(mixed.status == 3, mixed.output);
    BOOST_TEST(mixed.output.find("resume it with --from store") != std::string::npos, mixed.output);
    const auto resumed = run_status(replay_command("projections --from store"));
    BOOST_TEST(resumed.status == 0, resumed.output);
    BOOST_TEST(resumed.output.find("resumed after") != std::string::npos, resumed.output);
    const auto fixed = cluster.get_order(corrupted);
    BOOST_TEST(fixed.body.find(R"("total":"7.25")") != std::string::npos, fixed.body);

    // Orders placed during and after the rebuild reach the new tables through the live
    // projector.
    customer.await_more(3);
    const auto submitted = customer.stop();
    for (const auto& order_id : submitted) cluster.await_terminal(order_id);
    // Every column, creation times included, as a rebuild from Kafka makes them.
    const auto verified = run_status(replay_command("projections --verify"));
    BOOST_TEST(verified.status == 0, verified.output);
    BOOST_TEST(verified.output.find(", 0 differences") != std::string::npos, verified.output);
    // A dry run reads and folds the whole store and writes nothing at all.
    const auto dry = run_status(replay_command("projections --from store --dry-run"));
    BOOST_TEST(dry.status == 0, dry.output);
    BOOST_TEST(dry.output.find("nothing written (dry run)") != std::string::npos, dry.output);
    BOOST_TEST(gateway_count("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%_shadow'") ==
               0);
}

BOOST_AUTO_TEST_CASE(replay_order_prints_the_state_after_each_event_of_its_stream) {
    auto& cluster = cluster_with();
    const auto order_id =
        accepted_order(cluster, order_body(testing::unique_name("timeline"), "1500.00"));
    cluster.await_status(order_id, "CANCELLED");
    const auto timeline = run_status(replay_command("order " + order_id));
    BOOST_TEST(timeline.status == 0, timeline.output);
    std::istringstream lines(timeline.output);
    std::vector<std::string> rows;
    for (std::string line; std::getline(lines, line);) rows.push_back(line);
    BOOST_REQUIRE(rows.size() == 4U);  // header, accepted, payment requested, cancelled
    BOOST_TEST(rows[1].find("1  OrderAccepted     PENDING") != std::string::npos, rows[1]);
    BOOST_TEST(rows[2].find("2  PaymentRequested  PENDING") != std::string::npos, rows[2]);
    BOOST_TEST(
        rows[3].find("3  OrderCancelled    CANCELLED  PAYMENT_DECLINED") != std::string::npos,
        rows[3]);
    const auto unknown = run_status(replay_command("order " + core::new_uuid()));
    BOOST_TEST(unknown.status == 1, unknown.output);
    const auto bad = run_status(replay_command("order not-a-uuid"));
    BOOST_TEST(bad.status == 2, bad.output);
    BOOST_TEST(bad.output.find("is not an order id") != std::string::npos, bad.output);
}

BOOST_AUTO_TEST_CASE(notifications_are_rebuilt_from_kafka_once_the_observer_group_is_rewound) {
    auto& cluster = cluster_with();
    const auto order_id =
        accepted_order(cluster, order_body(testing::unique_name("renotify"), "8.00"));
    cluster.await_status(order_id, "CONFIRMED");
    const std::vector<std::string> expected{"ACCEPTED", "CONFIRMED"};
    BOOST_REQUIRE(testing::eventually(
        [&] { return cluster.notification_kinds(order_id) == expected; }, kFlowDeadline));

    const auto rewind = script("replay") + " projections --name notifications";
    const auto refused = run_status(rewind);
    BOOST_TEST(refused.status != 0, refused.output);
    BOOST_TEST(refused.output.find("stop every notification-observer first") != std::string::npos,
               refused.output);

    cluster.restart_gracefully("notification-observer", [&] {
        const auto rewound = run_status(rewind);
        BOOST_TEST(rewound.status == 0, rewound.output);
        const auto session = pg::open_session(
            pg::ConnectionSettings::from_env("E2E_UNUSED_DATABASE", "notification_observer"));
        long remaining = -1;
        *session << "SELECT count(*) FROM notifications", soci::into(remaining);
        BOOST_TEST(remaining == 0);
    });
    BOOST_TEST(testing::eventually([&] { return cluster.notification_kinds(order_id) == expected; },
                                   kFlowDeadline));
}
