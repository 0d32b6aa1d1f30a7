// The replay tool's command line: what it accepts and how it refuses.
#include "replay_options.hpp"

#include <boost/test/unit_test.hpp>

namespace replay = ordersource::replay;

namespace {

std::string refusal(const std::vector<std::string>& arguments) {
    const auto command = replay::parse_replay_command(arguments);
    BOOST_REQUIRE(std::holds_alternative<replay::UsageError>(command));
    return std::get<replay::UsageError>(command).message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(order_takes_exactly_one_uuid) {
    const std::string id = "8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f";
    const auto command = replay::parse_replay_command({"order", id});
    BOOST_REQUIRE(std::holds_alternative<replay::ShowOrder>(command));
    BOOST_TEST(std::get<replay::ShowOrder>(command).order_id == id);
    BOOST_TEST(refusal({"order"}).find("one order id") != std::string::npos);
    BOOST_TEST(refusal({"order", "42"}).find("'42' is not an order id") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(projections_options_parse_and_bad_ones_are_named) {
    const auto command = replay::parse_replay_command(
        {"projections", "--name", "order-views", "--from", "kafka", "--verify", "--batch", "50"});
    BOOST_REQUIRE(std::holds_alternative<replay::RebuildProjection>(command));
    const auto& rebuild = std::get<replay::RebuildProjection>(command);
    BOOST_TEST(rebuild.verify);
    BOOST_TEST(!rebuild.fresh);
    BOOST_TEST(rebuild.batch == 50U);
    BOOST_TEST(
        std::get<replay::RebuildProjection>(replay::parse_replay_command({"projections"})).batch ==
        500U);
    BOOST_TEST(refusal({"projections", "--batch", "0"}).find("--batch") != std::string::npos);
    BOOST_TEST(refusal({"projections", "--batch"}).find("'--batch'") != std::string::npos);
    BOOST_TEST((rebuild.source == replay::EventSource::kKafka));
    const auto from_store =
        replay::parse_replay_command({"projections", "--from", "store", "--fresh"});
    BOOST_REQUIRE(std::holds_alternative<replay::RebuildProjection>(from_store));
    BOOST_TEST(
        (std::get<replay::RebuildProjection>(from_store).source == replay::EventSource::kStore));
    BOOST_TEST(std::get<replay::RebuildProjection>(from_store).batch == 20000U);
    BOOST_TEST(!std::get<replay::RebuildProjection>(from_store).dry_run);
    const auto dry_run = replay::parse_replay_command(
        {"projections", "--from", "store", "--dry-run", "--batch", "7"});
    BOOST_REQUIRE(std::holds_alternative<replay::RebuildProjection>(dry_run));
    BOOST_TEST(std::get<replay::RebuildProjection>(dry_run).dry_run);
    BOOST_TEST(std::get<replay::RebuildProjection>(dry_run).batch == 7U);
    BOOST_TEST(refusal({"projections", "--dry-run"}).find("add --from store") != std::string::npos);
    BOOST_TEST(refusal({"projections", "--from", "disk"}).find("say kafka or store") !=
               std::string::npos);
    BOOST_TEST(refusal({"projections", "--from", "store", "--verify"}).find("drop --from store") !=
               std::string::npos);
    BOOST_TEST(refusal({"projections", "--name", "x"}).find("unknown projection 'x'") !=
               std::string::npos);
    BOOST_TEST(refusal({"projections", "--now"}).find("'--now'") != std::string::npos);
    BOOST_TEST(refusal({}).find("order or projections") != std::string::npos);
    BOOST_TEST(refusal({"rewind"}).find("unknown command 'rewind'") != std::string::npos);
    BOOST_TEST(std::holds_alternative<replay::ShowHelp>(replay::parse_replay_command({"--help"})));
    BOOST_TEST(
        std::holds_alternative<replay::ShowVersion>(replay::parse_replay_command({"--version"})));
}
