// Event-store benchmark (issue "Event store", item 8): every figure next to the physical limit
// of the same machine, measured in the same run - appends against a raw COPY of the same rows,
// read_all against COPY TO STDOUT of the same table, the relay against what the broker takes.
// Not a test: scripts/bench-eventstore runs it against private servers and writes docs/.
//
//   eventstore_bench [--events N] [--repeat R]
//
// Prints a table on stderr and one JSON object on stdout. Each figure is the median of R runs,
// each run on a fresh schema.
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ordersource/core/config.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/eventstore/postgres_event_store.hpp"
#include "ordersource/kafka/admin.hpp"
#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/producer.hpp"
#include "ordersource/relay/event_relay.hpp"

using namespace ordersource;
namespace es = ordersource::eventstore;
using Clock = std::chrono::steady_clock;

namespace {

// A typical order event: the payload size the services really append.
const std::string kPayload =
    R"({"orderId":"8d7f4c2e-1b3a-4f5e-9c6d-0a1b2c3d4e5f","customerId":"customer-00042",)"
    R"("currency":"USD","items":[{"sku":"SKU-12345","quantity":2,"unitPrice":"49.99"}],"total":"99.98"})";

struct Options {
    std::size_t events = 20000;
    int repeat = 3;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--events" && i + 1 < argc) {
            options.events = std::stoul(argv[++i]);
        } else if (arg == "--repeat" && i + 1 < argc) {
            options.repeat = std::stoi(argv[++i]);
        } else {
            throw std::invalid_argument("usage: eventstore_bench [--events N] [--repeat R]");
        }
    }
    return options;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

es::NewEvent new_event() {
    return {
        es::EventId{core::new_uuid()}, "OrderAccepted", 1, kPayload, {"corr-bench", "cause-bench"}};
}

// A libpq connection of its own for the raw COPY paths.
class RawConnection {
  public:
    explicit RawConnection(const pg::ConnectionSettings& settings)
        : connection_(PQconnectdb(settings.connection_string().c_str())) {
        if (PQstatus(connection_) != CONNECTION_OK) {
            throw std::runtime_error(std::string("connect: ") + PQerrorMessage(connection_));
        }
    }
    ~RawConnection() { PQfinish(connection_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void exec(const std::string& sql) {
        PGresult* result = PQexec(connection_, sql.c_str());
        const auto status = PQresultStatus(result);
        const std::string error = PQresultErrorMessage(result);
        PQclear(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(sql + ": " + error);
    }

    // COPY ... FROM STDIN with the given text-format rows.
    void copy_in(const std::string& sql, const std::string& rows) {
        PGresult* result = PQexec(connection_, sql.c_str());
        if (PQresultStatus(result) != PGRES_COPY_IN) {
            const std::string error = PQresultErrorMessage(result);
            PQclear(result);
            throw std::runtime_error("COPY IN: " + error);
        }
        PQclear(result);
        constexpr std::size_t kChunk = 1 << 20;
        for (std::size_t at = 0; at < rows.size(); at += kChunk) {
            const auto length = std::min(kChunk, rows.size() - at);
            if (PQputCopyData(connection_, rows.data() + at, static_cast<int>(length)) != 1) {
                throw std::runtime_error(std::string("COPY data: ") + PQerrorMessage(connection_));
            }
        }
        if (PQputCopyEnd(connection_, nullptr) != 1) throw std::runtime_error("COPY end");
        result = PQgetResult(connection_);
        const auto status = PQresultStatus(result);
        const std::string error = PQresultErrorMessage(result);
        PQclear(result);
        while ((result = PQgetResult(connection_)) != nullptr) PQclear(result);
        if (status != PGRES_COMMAND_OK) throw std::runtime_error("COPY IN: " + error);
    }

    // COPY (query) TO STDOUT; returns the number of rows received.
    std::size_t copy_out(const std::string& sql) {
        PGresult* result = PQexec(connection_, sql.c_str());
        if (PQresultStatus(result) != PGRES_COPY_OUT) {
            const std::string error = PQresultErrorMessage(result);
            PQclear(result);
            throw std::runtime_error("COPY OUT: " + error);
        }
        PQclear(result);
        std::size_t rows = 0;
        char* buffer = nullptr;
        int length = 0;
        while ((length = PQgetCopyData(connection_, &buffer, 0)) > 0) {
            ++rows;
            PQfreemem(buffer);
        }
        while ((result = PQgetResult(connection_)) != nullptr) PQclear(result);
        return rows;
    }

  private:
    PGconn* connection_;
};

struct Run {
    std::map<std::string, double> rates;  // events per second by figure name
    std::size_t envelope_bytes = 0;
    std::size_t relayed = 0;
};

// One repetition on a fresh schema.
Run run_once(const Options& options,
             const pg::ConnectionSettings& database,
             const kafka::Properties& kafka_config) {
    Run run;
    const std::string schema = "bench_" + core::new_uuid().substr(0, 8);
    {
        RawConnection raw(database);
        raw.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    es::PostgresEventStore store(database, schema, {.max_connections = 17});

    // 1 event per append, 1 writer: the latency-bound floor (one commit per event).
    const std::size_t single = std::min<std::size_t>(options.events / 10, 2000);
    auto start = Clock::now();
    for (std::size_t i = 0; i < single; ++i) {
        store.append(es::StreamId{"single-" + std::to_string(i % 100)}, es::Any{}, {new_event()});
    }
    run.rates["append_1_per_tx_1_writer"] = static_cast<double>(single) / seconds_since(start);

    // 1 event per append, 16 writers on their own streams: what concurrency buys.
    constexpr int kWriters = 16;
    const std::size_t per_writer = single;
    start = Clock::now();
    {
        std::vector<std::jthread> writers;
        for (int w = 0; w < kWriters; ++w) {
            writers.emplace_back([&store, w, per_writer] {
                for (std::size_t i = 0; i < per_writer; ++i) {
                    store.append(es::StreamId{"writer-" + std::to_string(w)}, es::Any{},
                                 {new_event()});
                }
            });
        }
    }
    run.rates["append_1_per_tx_16_writers"] =
        static_cast<double>(per_writer * kWriters) / seconds_since(start);

    // Batches of 100 events per append (one statement, one round trip each).
    std::vector<std::vector<es::NewEvent>> batches;
    for (std::size_t done = 0; done < options.events; done += 100) {
        std::vector<es::NewEvent> batch;
        for (std::size_t i = 0; i < std::min<std::size_t>(100, options.events - done); ++i)
            batch.push_back(new_event());
        batches.push_back(std::move(batch));
    }
    start = Clock::now();
    for (std::size_t b = 0; b < batches.size(); ++b) {
        store.append(es::StreamId{"batch-" + std::to_string(b % 50)}, es::Any{}, batches[b]);
    }
    run.rates["append_batch_100_any"] = static_cast<double>(options.events) / seconds_since(start);

    // The same batches as the services append them - at the version they decided on, which
    // COPY writes without reading the head first (ADR 18) - and the limit: raw COPY of the
    // same rows into the same table (made by the same migrations). Each on an empty store of
    // its own, so no figure pays for a bigger index than another.
    const auto fresh_schema = [&](const std::string& suffix) {
        const std::string name = schema + "_" + suffix;
        es::PostgresEventStore migrated(database, name);  // creates the tables
        return name;
    };
    {
        // The rows of the same batches as a raw COPY would send them: the same streams and
        // versions as the appends below write (into a table of its own), fresh event ids.
        std::vector<std::string> batch_rows(batches.size());
        std::vector<std::int64_t> copied_versions(50, 0);
        for (std::size_t b = 0; b < batches.size(); ++b) {
            auto& version = copied_versions[b % 50];
            for (std::size_t i = 0; i < batches[b].size(); ++i) {
                const auto& event = batches[b][i];
                batch_rows[b] += "batch-" + std::to_string(b % 50) + "\t" +
                                 std::to_string(++version) + "\t" + core::new_uuid() + "\t" +
                                 event.type + "\t1\t" + event.payload_json +
                                 "\t{\"correlationId\": \"corr-bench\", \"causationId\": "
                                 "\"cause-bench\"}\n";
            }
        }
        const std::string columns =
            ".events (stream_id, stream_version, event_id, event_type, schema_version, payload, "
            "metadata) FROM STDIN";
        RawConnection raw(database);
        // Side by side, batch after batch: each append is followed by the raw COPY of the same
        // rows in a transaction of its own (the appends' durability), so a noisy neighbour
        // slows both alike.
        const auto exact_schema = fresh_schema("exact");
        const auto batches_schema = fresh_schema("copy_batches");
        {
            es::PostgresEventStore exact(database, exact_schema);
            std::vector<std::int64_t> versions(50, 0);
            Clock::duration appending{};
            Clock::duration copying{};
            for (std::size_t b = 0; b < batches.size(); ++b) {
                auto& version = versions[b % 50];
                const auto appended = Clock::now();
                const auto outcome =
                    exact.append(es::StreamId{"batch-" + std::to_string(b % 50)},
                                 es::Exact{es::StreamVersion{version}}, batches[b]);
                const auto copied = Clock::now();
                raw.copy_in("COPY " + batches_schema + columns, batch_rows[b]);
                appending += copied - appended;
                copying += Clock::now() - copied;
                if (!std::holds_alternative<es::AppendResult>(outcome))
                    throw std::runtime_error("exact batch append: " + es::describe(outcome));
                version = std::get<es::AppendResult>(outcome).last_version.value();
            }
            const auto rate = [&](Clock::duration took) {
                return static_cast<double>(options.events) /
                       std::chrono::duration<double>(took).count();
            };
            run.rates["append_batch_100"] = rate(appending);
            run.rates["copy_in_batches_of_100_limit"] = rate(copying);
        }
        // The absolute ceiling: the same rows as one COPY in one transaction.
        std::string rows;
        for (const auto& batch : batch_rows) rows += batch;
        const auto one_schema = fresh_schema("copy_once");
        start = Clock::now();
        raw.copy_in("COPY " + one_schema + columns, rows);
        run.rates["copy_in_limit"] = static_cast<double>(options.events) / seconds_since(start);
        for (const auto& name : {one_schema, batches_schema, exact_schema})
            raw.exec("DROP SCHEMA " + name + " CASCADE");
    }

    // read_all in relay-sized pages against COPY TO STDOUT of the same rows and columns.
    const std::size_t total = single + per_writer * kWriters + options.events;
    start = Clock::now();
    std::size_t read = 0;
    es::CommitPosition after = es::kStartOfAll;
    while (true) {
        const auto page = store.read_all(after, 1000);
        if (page.empty()) break;
        read += page.size();
        after = page.back().commit_position();
    }
    run.rates["read_all"] = static_cast<double>(read) / seconds_since(start);
    if (read != total)
        throw std::runtime_error("read_all returned " + std::to_string(read) + " of " +
                                 std::to_string(total));
    {
        RawConnection raw(database);
        start = Clock::now();
        const auto copied = raw.copy_out(
            "COPY (SELECT event_id::text, event_type, schema_version, payload::text, "
            "metadata->>'correlationId', "
            "metadata->>'causationId', stream_id, stream_version, global_position, "
            "transaction_id::text, "
            "recorded_at FROM " +
            schema + ".events ORDER BY transaction_id, global_position) TO STDOUT");
        run.rates["copy_out_limit"] = static_cast<double>(copied) / seconds_since(start);
    }

    // The relay to the real broker: every stored event, acks=all, idempotent producer.
    const std::string topic = "bench-relay-" + core::new_uuid().substr(0, 8);
    if (auto error = kafka::create_topics(kafka_config, {{.name = topic, .partitions = 6}},
                                          std::chrono::seconds(30))) {
        throw std::runtime_error("create topic: " + error->message);
    }
    {
        kafka::Producer producer(kafka_config);
        relay::EventRelay relay(
            store, store, producer,
            [](const es::RecordedEvent& event) { return event.stream_id.value(); },
            {.name = "bench", .topic = topic, .batch_size = 1000});
        start = Clock::now();
        std::size_t relayed = 0;
        while (relayed < total) {
            const auto step = relay.relay_once();
            if (step.error) throw std::runtime_error("relay: " + step.error->message);
            relayed += step.relayed;
        }
        run.rates["relay_to_kafka"] = static_cast<double>(relayed) / seconds_since(start);
        run.relayed = relayed;
        const auto sample = store.read_all(es::kStartOfAll, 1);
        run.envelope_bytes = relay::to_record(sample.front(), topic, "k").value.size();
    }
    {
        RawConnection raw(database);
        raw.exec("DROP SCHEMA " + schema + " CASCADE");
    }
    return run;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const auto middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto options = parse(argc, argv);
        const auto database =
            pg::ConnectionSettings::from_env("ORDERSOURCE_BENCH_PG_DATABASE", "ordersource_test");
        const auto kafka_config = kafka::properties_from_env();
        std::map<std::string, std::vector<double>> samples;
        std::size_t envelope_bytes = 0;
        std::size_t relayed = 0;
        for (int r = 0; r < options.repeat; ++r) {
            const auto run = run_once(options, database, kafka_config);
            for (const auto& [name, rate] : run.rates) samples[name].push_back(rate);
            envelope_bytes = run.envelope_bytes;
            relayed = run.relayed;
            std::cerr << "run " << (r + 1) << "/" << options.repeat << " done\n";
        }
        std::map<std::string, double> medians;
        for (const auto& [name, values] : samples) medians[name] = median(values);
        const auto ratio = [&medians](const char* figure, const char* limit) {
            return medians[figure] / medians[limit];
        };
        std::fprintf(stderr, "\n%-30s %14s   %s\n", "figure (median)", "events/s", "ratio");
        for (const auto& [name, value] : medians)
            std::fprintf(stderr, "%-30s %14.0f\n", name.c_str(), value);
        std::fprintf(stderr,
                     "batch 100 / COPY in (one tx)    = %.2f\n"
                     "batch 100 / COPY in (tx of 100) = %.2f\n"
                     "read_all / COPY out             = %.2f\n",
                     ratio("append_batch_100", "copy_in_limit"),
                     ratio("append_batch_100", "copy_in_batches_of_100_limit"),
                     ratio("read_all", "copy_out_limit"));
        std::printf("{\"events\":%zu,\"repeat\":%d,\"envelope_bytes\":%zu,\"relayed\":%zu",
                    options.events, options.repeat, envelope_bytes, relayed);
        for (const auto& [name, value] : medians) std::printf(",\"%s\":%.0f", name.c_str(), value);
        std::printf(
            ",\"ratio_batch_to_copy_in\":%.3f,\"ratio_batch_to_copy_in_batches\":%.3f,"
            "\"ratio_read_all_to_copy_out\":%.3f}\n",
            ratio("append_batch_100", "copy_in_limit"),
            ratio("append_batch_100", "copy_in_batches_of_100_limit"),
            ratio("read_all", "copy_out_limit"));
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "eventstore_bench: " << error.what() << "\n";
        return 1;
    }
}
