// End-to-end load: submits orders to the gateway at a fixed rate (open loop: each order has a
// scheduled time, and latency counts from it, so a slow system cannot hide its queueing) and
// watches order-events and payment-events for each order's first terminal event. Prints one
// JSON object; exit 0 when every accepted order reached a terminal status within the drain
// time and charges equal confirmed orders.
//   load_generator --port P --rate R --seconds S [--connections C] [--drain-seconds D]
// Kafka from ORDERSOURCE_KAFKA_BOOTSTRAP (scripts/bench sets it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ordersource/kafka/client_config.hpp"
#include "ordersource/kafka/partition_reader.hpp"

using namespace ordersource;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Options {
    int port = 8080;
    double rate = 100;
    int seconds = 60;
    int connections = 64;
    int drain_seconds = 60;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const std::string value = argv[i + 1];
        if (name == "--port") options.port = std::stoi(value);
        if (name == "--rate") options.rate = std::stod(value);
        if (name == "--seconds") options.seconds = std::stoi(value);
        if (name == "--connections") options.connections = std::stoi(value);
        if (name == "--drain-seconds") options.drain_seconds = std::stoi(value);
    }
    return options;
}

// One keep-alive HTTP/1.1 connection to the gateway; reconnects after any failure.
class Connection {
  public:
    explicit Connection(int port) : port_(port) {}
    ~Connection() { close_socket(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // The status and body of a POST /orders, or nullopt when the exchange failed.
    std::optional<std::pair<int, std::string>> post(const std::string& body,
                                                    const std::string& key) {
        if (fd_ < 0 && !open_socket()) return std::nullopt;
        const std::string request =
            "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Idempotency-Key: " +
            key + "\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: keep-alive\r\n\r\n" + body;
        if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
            close_socket();
            return std::nullopt;
        }
        std::string raw;
        char buffer[4096];
        while (true) {
            const auto head_end = raw.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                const auto length_at = raw.find("Content-Length: ");
                if (length_at != std::string::npos && length_at < head_end) {
                    const auto length = std::stoul(raw.substr(length_at + 16));
                    if (raw.size() >= head_end + 4 + length) {
                        return std::make_pair(std::stoi(raw.substr(9, 3)),
                                              raw.substr(head_end + 4, length));
                    }
                }
            }
            const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n <= 0) {
                close_socket();
                return std::nullopt;
            }
            raw.append(buffer, static_cast<std::size_t>(n));
        }
    }

  private:
    bool open_socket() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port_));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
            close_socket();
            return false;
        }
        return true;
    }
    void close_socket() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int port_;
    int fd_ = -1;
};

std::string string_member(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// What the topics say about the orders, as seen by the watcher thread.
struct Observed {
    std::mutex mutex;
    std::map<std::string, Clock::time_point> terminal;  // first terminal event per order
    std::set<std::string> confirmed, authorized, refunded;
};

void watch(kafka::PartitionReader& reader, Observed& observed, const std::atomic<bool>& stop) {
    while (!stop.load()) {
        const auto record = reader.poll(100ms);
        if (!record) continue;
        const auto now = Clock::now();
        rapidjson::Document envelope;
        envelope.Parse(record->value.c_str());
        if (envelope.HasParseError() || !envelope.IsObject()) continue;
        const auto type = string_member(envelope, "type");
        const auto payload = envelope.FindMember("payload");
        if (payload == envelope.MemberEnd() || !payload->value.IsObject()) continue;
        const auto order_id = string_member(payload->value, "orderId");
        const std::lock_guard lock(observed.mutex);
        if (type == "OrderConfirmed" || type == "OrderCancelled" || type == "OrderRefunded") {
            observed.terminal.try_emplace(order_id, now);
        }
        if (type == "OrderConfirmed") observed.confirmed.insert(order_id);
        if (type == "PaymentAuthorized") observed.authorized.insert(order_id);
        if (type == "PaymentRefunded") observed.refunded.insert(order_id);
    }
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    return values[index];
}

int run_load(const Options& options) {
    const std::vector<std::string> topics{"order-events", "payment-events"};
    // Start at the end of the topics: only this run's events count.
    std::map<kafka::TopicPartition, std::int64_t> ends;
    {
        kafka::PartitionReader probe(kafka::properties_from_env(), topics, {});
        for (const auto& range : probe.ranges(30s))
            ends[{range.topic, range.partition}] = range.high;
    }
    kafka::PartitionReader reader(kafka::properties_from_env(), topics, ends);
    Observed observed;
    std::atomic<bool> stop_watching{false};
    std::thread watcher([&] { watch(reader, observed, stop_watching); });

    const auto run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    // Warm-up: one order through the whole saga first, so consumer-group joins and first
    // connections after a fresh start are not measured as latency.
    const auto warm_up = [&] {
        Connection connection(options.port);
        const auto answer = connection.post(
            R"({"customerId":"load-warmup","currency":"USD","items":[{"sku":"SKU-1","quantity":1,"unitPrice":"0.01"}]})",
            "load-" + run + "-warmup");
        const auto at = answer ? answer->second.find(R"("orderId":")") : std::string::npos;
        if (!answer || answer->first != 202 || at == std::string::npos) {
            std::fprintf(stderr, "load_generator: the warm-up order was not accepted\n");
            return false;
        }
        const auto order_id = answer->second.substr(at + 11, 36);
        const auto deadline = Clock::now() + 120s;
        while (true) {
            {
                const std::lock_guard lock(observed.mutex);
                if (observed.terminal.contains(order_id)) return true;
            }
            if (Clock::now() > deadline) {
                std::fprintf(stderr, "load_generator: the warm-up order never finished\n");
                return false;
            }
            std::this_thread::sleep_for(50ms);
        }
    };
    if (!warm_up()) {
        stop_watching = true;
        watcher.join();
        return 2;
    }
    const auto total = static_cast<long>(options.rate * options.seconds);
    const auto interval = std::chrono::duration<double>(1.0 / options.rate);
    const auto started = Clock::now() + 100ms;
    std::atomic<long> next{0};
    std::atomic<long> refused{0};
    std::mutex submitted_mutex;
    std::vector<std::pair<std::string, Clock::time_point>> submitted;
    std::vector<std::thread> senders;
    for (int c = 0; c < options.connections; ++c) {
        senders.emplace_back([&] {
            Connection connection(options.port);
            for (long i = next++; i < total; i = next++) {
                const auto scheduled = started + std::chrono::duration_cast<Clock::duration>(
                                                     interval * static_cast<double>(i));
                std::this_thread::sleep_until(scheduled);
                const auto body =
                    R"({"customerId":"load-)" + std::to_string(i % 1000) +
                    R"(","currency":"USD","items":[{"sku":"SKU-1","quantity":1,"unitPrice":"0.01"}]})";
                const auto answer = connection.post(body, "load-" + run + "-" + std::to_string(i));
                const auto at = answer ? answer->second.find(R"("orderId":")") : std::string::npos;
                if (!answer || answer->first != 202 || at == std::string::npos) {
                    ++refused;
                    continue;
                }
                const std::lock_guard lock(submitted_mutex);
                submitted.emplace_back(answer->second.substr(at + 11, 36), scheduled);
            }
        });
    }
    for (auto& sender : senders) sender.join();
    const auto sent_until = Clock::now();

    // Drain: wait until every accepted order is terminal, or the deadline.
    const auto deadline = Clock::now() + std::chrono::seconds(options.drain_seconds);
    std::size_t finished = 0;
    while (Clock::now() < deadline) {
        {
            const std::lock_guard lock(observed.mutex);
            finished = static_cast<std::size_t>(std::count_if(
                submitted.begin(), submitted.end(),
                [&](const auto& order) { return observed.terminal.contains(order.first); }));
        }
        if (finished == submitted.size()) break;
        std::this_thread::sleep_for(100ms);
    }
    stop_watching = true;
    watcher.join();

    std::vector<double> latencies_ms;
    Clock::time_point last_terminal = started;
    std::size_t charged = 0, confirmed = 0;
    for (const auto& [order_id, scheduled] : submitted) {
        if (const auto found = observed.terminal.find(order_id); found != observed.terminal.end()) {
            latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(found->second - scheduled).count());
            last_terminal = std::max(last_terminal, found->second);
        }
        if (observed.confirmed.contains(order_id)) ++confirmed;
        if (observed.authorized.contains(order_id) && !observed.refunded.contains(order_id))
            ++charged;
    }
    const double send_seconds = std::chrono::duration<double>(sent_until - started).count();
    const double finish_seconds = std::chrono::duration<double>(last_terminal - started).count();
    const bool complete = finished == submitted.size() && charged == confirmed;
    std::printf(
        "{\"target_rate\":%.0f,\"seconds\":%d,\"accepted\":%zu,\"refused\":%ld,"
        "\"submitted_per_s\":%.1f,\"terminal\":%zu,\"terminal_per_s\":%.1f,"
        "\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,\"confirmed\":%zu,\"charged\":%zu,"
        "\"complete\":%s}\n",
        options.rate, options.seconds, submitted.size(), refused.load(),
        static_cast<double>(submitted.size()) / send_seconds, latencies_ms.size(),
        finish_seconds > 0 ? static_cast<double>(latencies_ms.size()) / finish_seconds : 0,
        percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99),
        percentile(latencies_ms, 1.0), confirmed, charged, complete ? "true" : "false");
    return complete ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    try {
        return run_load(options);
    } catch (const std::exception& error) {
        // An unreachable broker or gateway: say so, instead of std::terminate's abort.
        std::fprintf(stderr, "load_generator: %s\n", error.what());
        return 2;
    }
}
