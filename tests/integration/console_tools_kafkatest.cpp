// The scripts/ wrappers run Apache Kafka's real CLI tools against the test broker:
// a record this test produces is printed, key included, by kafka-console-consumer.
#include <boost/test/unit_test.hpp>
#include <array>
#include <cstdio>
#include <sys/wait.h>
#include <memory>

#include "ordersource/kafka/admin.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/testing/environment.hpp"

using namespace std::chrono_literals;
namespace kafka = ordersource::kafka;
namespace testing = ordersource::testing;

namespace {

struct CommandResult {
    int exit_code;
    std::string out;
};

// Runs a shell command, capturing stdout only (stderr passes through to the test log).
CommandResult run(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    BOOST_REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
        out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe.release());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

BOOST_AUTO_TEST_CASE(console_consumer_prints_a_produced_record_with_its_key_and_nothing_else) {
    const kafka::Properties broker{{"bootstrap.servers", testing::kafka_bootstrap()}};
    const auto topic = testing::unique_name("console");
    BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 2}}, 30s));
    {
        kafka::Producer producer(broker);
        BOOST_REQUIRE(!producer.produce_and_wait({.topic = topic, .key = "order-7", .value = "v-7"}).error);
    }
    const auto result = run(testing::source_dir() + "/scripts/kafka-console-consumer --topic " +
                            topic + " --from-beginning --max-messages 1 --timeout-ms 60000" +
                            " --property print.key=true --property key.separator=:");
    BOOST_TEST(result.exit_code == 0);
    // Exactly the record: no deprecation notice or log line may share stdout with it.
    BOOST_TEST(result.out == "order-7:v-7\n");
}

BOOST_AUTO_TEST_CASE(kafka_topics_wrapper_lists_a_topic_created_through_the_admin_api) {
    const kafka::Properties broker{{"bootstrap.servers", testing::kafka_bootstrap()}};
    const auto topic = testing::unique_name("listed");
    BOOST_REQUIRE(!kafka::create_topics(broker, {{.name = topic, .partitions = 1}}, 30s));
    const auto result = run(testing::source_dir() + "/scripts/kafka-topics --list");
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.find(topic + "\n") != std::string::npos);
}
