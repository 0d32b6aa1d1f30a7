#include "replay_options.hpp"

#include <charconv>

#include "ordersource/core/ids.hpp"

namespace ordersource::replay {

const char* replay_usage() {
    return R"(usage:
  replay order <orderId>      the order's state after each event of its stream
                              (from the order-service's event store)
  replay projections [--name order-views] [--from kafka|store] [--verify] [--fresh] [--batch N]
                     [--dry-run]
                              rebuild the gateway's order views (order_summaries,
                              order_history) into shadow tables, then swap them in
                              atomically while the gateway keeps serving; resumes
                              after being killed unless --fresh
      --from kafka            from the beginning of order-created and order-events (default)
      --from store            from the order-service's event store: every order it ever
                              accepted, also those Kafka's retention has deleted; orders
                              not accepted yet are kept as the live tables have them
      --verify                rebuild from Kafka into the shadow, diff it against the live
                              tables at the live projection's own checkpoint, drop it;
                              exit 1 and print the differing rows if any
      --batch N               events per transaction (1-100000; default 500 from Kafka,
                              20000 from the store)
      --dry-run               with --from store: read the store and fold every event in
                              memory, write nothing (how fast the rebuild reads)
  replay --help | --version

environment: ORDERSOURCE_PG_HOST/_PORT/_USER/_PASSWORD, GATEWAY_PG_DATABASE [gateway],
  ORDER_SERVICE_PG_DATABASE [order_service], ORDERSOURCE_KAFKA_BOOTSTRAP and the other
  ORDERSOURCE_KAFKA_* settings of the services.
exit status: 0 done, 1 differences found or no such order, 2 usage or configuration error,
  3 the database or Kafka failed.
)";
}

ReplayCommand parse_replay_command(const std::vector<std::string>& arguments) {
    if (arguments.empty()) return UsageError{"say what to replay: order or projections"};
    const auto& what = arguments.front();
    if (what == "--help" || what == "-h") return ShowHelp{};
    if (what == "--version") return ShowVersion{};
    if (what == "order") {
        if (arguments.size() != 2) return UsageError{"replay order takes one order id"};
        if (!core::is_uuid(arguments[1])) {
            return UsageError{"'" + arguments[1] + "' is not an order id (a UUID)"};
        }
        return ShowOrder{arguments[1]};
    }
    if (what != "projections") return UsageError{"unknown command '" + what + "'"};
    RebuildProjection rebuild;
    bool batch_given = false;
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const auto& option = arguments[i];
        const bool has_value = i + 1 < arguments.size();
        if (option == "--verify") {
            rebuild.verify = true;
        } else if (option == "--fresh") {
            rebuild.fresh = true;
        } else if (option == "--dry-run") {
            rebuild.dry_run = true;
        } else if (option == "--name" && has_value) {
            rebuild.name = arguments[++i];
            if (rebuild.name != "order-views") {
                return UsageError{"unknown projection '" + rebuild.name +
                                  "'; this tool rebuilds order-views (the notifications are "
                                  "rebuilt by scripts/replay projections --name notifications)"};
            }
        } else if (option == "--from" && has_value) {
            const auto& source = arguments[++i];
            if (source == "kafka") {
                rebuild.source = EventSource::kKafka;
            } else if (source == "store") {
                rebuild.source = EventSource::kStore;
            } else {
                return UsageError{"--from " + source + ": say kafka or store"};
            }
        } else if (option == "--batch" && has_value) {
            const auto& text = arguments[++i];
            std::size_t batch = 0;
            const auto [end, error] =
                std::from_chars(text.data(), text.data() + text.size(), batch);
            if (error != std::errc() || end != text.data() + text.size() || batch < 1 ||
                batch > 100000) {
                return UsageError{"--batch takes an integer from 1 to 100000"};
            }
            rebuild.batch = batch;
            batch_given = true;
        } else {
            return UsageError{"unknown or incomplete option '" + option + "'"};
        }
    }
    if (rebuild.verify && rebuild.source == EventSource::kStore) {
        // The live tables are cut at Kafka offsets, which no store position matches.
        return UsageError{
            "--verify compares at the live projection's Kafka checkpoint, so it "
            "reads Kafka: drop --from store"};
    }
    if (rebuild.dry_run && rebuild.source != EventSource::kStore) {
        return UsageError{"--dry-run reads the event store: add --from store"};
    }
    if (!batch_given && rebuild.source == EventSource::kStore) {
        rebuild.batch = RebuildProjection::kStoreBatch;
    }
    return rebuild;
}

}  // namespace ordersource::replay
