// The gateway's order views writer on its own, side by side with and without its summary cache
// (ADR 28): the same live-like feed applied by two PgOrderViewStore instances into two fresh
// schemas, in alternating rounds, each round's wall time and PostgreSQL server CPU measured.
// A batch holds what the live read model gets in one linger: OrderCreated of the newest
// orders, OrderAccepted and PaymentRequested of the batch before, OrderConfirmed of the one
// before that. Prints one JSON object.
//   order_views_bench [--orders-per-batch N] [--batches N] [--rounds N]
//   against ORDERSOURCE_PG_* and GATEWAY_PG_DATABASE (as the gateway)
#include <dirent.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/pg_order_view_store.hpp"
#include "domain/order_view.hpp"
#include "ordersource/contracts/envelope.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/pg/connection.hpp"

using namespace ordersource;

namespace {

struct Options {
    int orders_per_batch = 500;  // 250 ms of the read model's linger at 2,000 orders/s
    int batches = 40;            // per round and store
    int rounds = 4;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (value <= 0) {
            std::fprintf(stderr, "order_views_bench: %s needs a positive number\n", argv[i]);
            std::exit(2);
        }
        if (flag == "--orders-per-batch") {
            options.orders_per_batch = value;
        } else if (flag == "--batches") {
            options.batches = value;
        } else if (flag == "--rounds") {
            options.rounds = value;
        } else {
            std::fprintf(stderr,
                         "usage: order_views_bench [--orders-per-batch N] [--batches N] "
                         "[--rounds N]\n");
            std::exit(2);
        }
    }
    return options;
}

// CPU ticks of every process named postgres: the server's side of the writes (this machine
// runs nothing else against it during a run).
long long postgres_ticks() {
    long long ticks = 0;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return 0;
    while (const auto* entry = readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const auto open = text.find('(');
        const auto close = text.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        if (text.compare(open + 1, close - open - 1, "postgres") != 0) continue;
        // Fields after the name: state is 3rd, utime 14th, stime 15th of the whole line.
        std::vector<std::string> fields;
        std::size_t at = close + 2;
        while (at < text.size() && fields.size() < 13) {
            const auto next = text.find(' ', at);
            fields.push_back(text.substr(at, next - at));
            if (next == std::string::npos) break;
            at = next + 1;
        }
        if (fields.size() == 13)
            ticks += std::atoll(fields[11].c_str()) + std::atoll(fields[12].c_str());
    }
    closedir(proc);
    return ticks;
}

double own_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

class LiveFeed {
  public:
    explicit LiveFeed(int orders_per_batch) : orders_per_batch_(orders_per_batch) {}

    // The next batch for the store, offsets counted per topic.
    std::vector<gateway::FeedChange> next_batch() {
        std::vector<gateway::FeedChange> batch;
        const auto add = [&](const std::string& topic, const contracts::Envelope& envelope) {
            batch.push_back(
                {gateway::view_change(envelope),
                 gateway::FeedPosition{
                     topic, 0, topic == "order-created" ? created_offset_++ : events_offset_++}});
        };
        const auto in_flight = orders_.size();
        for (int n = 0; n < orders_per_batch_; ++n) {
            orders_.push_back(core::new_uuid());
            add("order-created", event(orders_.back(), "OrderCreated", 0));
        }
        const auto from_end = [&](int batches_back, int n) -> const std::string& {
            return orders_[in_flight - static_cast<std::size_t>(batches_back * orders_per_batch_) +
                           static_cast<std::size_t>(n)];
        };
        if (in_flight >= static_cast<std::size_t>(orders_per_batch_)) {
            for (int n = 0; n < orders_per_batch_; ++n) {
                add("order-events", event(from_end(1, n), "OrderAccepted", 1));
                add("order-events", event(from_end(1, n), "PaymentRequested", 2));
            }
        }
        if (in_flight >= static_cast<std::size_t>(2 * orders_per_batch_)) {
            for (int n = 0; n < orders_per_batch_; ++n) {
                add("order-events", event(from_end(2, n), "OrderConfirmed", 3));
            }
        }
        return batch;
    }

  private:
    contracts::Envelope event(const std::string& order_id,
                              const std::string& type,
                              std::int64_t version) {
        const auto now = contracts::format_rfc3339_millis(
            std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count());
        std::string payload = R"({"orderId":")" + order_id + "\"";
        if (type == "OrderCreated" || type == "OrderAccepted") {
            payload +=
                R"(,"customerId":"bench-customer","currency":"EUR","items":[{"sku":"SKU-1","quantity":2,"unitPrice":"9.99"},{"sku":"SKU-2","quantity":1,"unitPrice":"5.00"}],"total":"24.98")";
            if (type == "OrderAccepted") payload += R"(,"createdAt":")" + now + "\"";
        } else if (type == "PaymentRequested") {
            payload += R"(,"customerId":"bench-customer","amount":"24.98","currency":"EUR")";
        }
        payload += "}";
        return {.event_id = core::new_uuid(),
                .type = type,
                .schema_version = type == "OrderAccepted" ? 2 : 1,
                .stream_id = "order-" + order_id,
                .stream_version = version,
                .occurred_at = now,
                .correlation_id = order_id,
                .causation_id = order_id,
                .payload_json = std::move(payload)};
    }

    int orders_per_batch_;
    std::vector<std::string> orders_;
    std::int64_t created_offset_ = 0;
    std::int64_t events_offset_ = 0;
};

struct Totals {
    double wall_s = 0;
    double postgres_cpu_s = 0;
    double client_cpu_s = 0;
    long long orders = 0;
};

void print_variant(const char* name, const Totals& totals, bool last) {
    const auto per_order_us = [&](double seconds) {
        return seconds * 1e6 / static_cast<double>(totals.orders);
    };
    std::printf(
        "\"%s\":{\"orders\":%lld,\"orders_per_s\":%.0f,\"postgres_us_per_order\":%.1f,"
        "\"client_us_per_order\":%.1f}%s",
        name, totals.orders, static_cast<double>(totals.orders) / totals.wall_s,
        per_order_us(totals.postgres_cpu_s), per_order_us(totals.client_cpu_s), last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    const auto settings = pg::ConnectionSettings::from_env("GATEWAY_PG_DATABASE", "gateway");
    const auto suffix = std::to_string(getpid());
    gateway::PgOrderViewStore uncached(settings, 1, "bench_views_uncached_" + suffix, 0);
    gateway::PgOrderViewStore cached(settings, 1, "bench_views_cached_" + suffix);
    LiveFeed uncached_feed(options.orders_per_batch);
    LiveFeed cached_feed(options.orders_per_batch);
    const double ticks_per_s = static_cast<double>(sysconf(_SC_CLK_TCK));
    Totals uncached_totals;
    Totals cached_totals;
    const auto round = [&](gateway::PgOrderViewStore& store, LiveFeed& feed, Totals& totals) {
        std::vector<std::vector<gateway::FeedChange>> batches;
        for (int b = 0; b < options.batches; ++b) batches.push_back(feed.next_batch());
        const auto started = std::chrono::steady_clock::now();
        const auto server_before = postgres_ticks();
        const auto client_before = own_cpu_seconds();
        for (const auto& batch : batches) store.apply(batch);
        totals.client_cpu_s += own_cpu_seconds() - client_before;
        totals.postgres_cpu_s +=
            static_cast<double>(postgres_ticks() - server_before) / ticks_per_s;
        totals.wall_s +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        totals.orders += static_cast<long long>(options.batches) * options.orders_per_batch;
    };
    for (int r = 0; r < options.rounds; ++r) {
        // Alternated, and in turn first: neither variant always follows the other.
        if (r % 2 == 0) {
            round(uncached, uncached_feed, uncached_totals);
            round(cached, cached_feed, cached_totals);
        } else {
            round(cached, cached_feed, cached_totals);
            round(uncached, uncached_feed, uncached_totals);
        }
    }
    soci::session cleanup(*soci::factory_postgresql(), settings.connection_string());
    cleanup << "SET client_min_messages = warning";
    cleanup << "DROP SCHEMA bench_views_uncached_" + suffix + ", bench_views_cached_" + suffix +
                   " CASCADE";
    std::printf("{\"orders_per_batch\":%d,\"batches_per_round\":%d,\"rounds\":%d,",
                options.orders_per_batch, options.batches, options.rounds);
    print_variant("uncached", uncached_totals, false);
    print_variant("cached", cached_totals, true);
    std::printf("}\n");
    return 0;
}
