// End-to-end load: submits orders to the gateway at a fixed rate (open loop: each order has a
// scheduled time, and latency counts from it, so a slow system cannot hide its queueing) and
// watches order-events and payment-events for each order's first terminal event. Prints one
// JSON object; exit 0 when every accepted order reached a terminal status within the drain
// time and charges equal confirmed orders.
//   load_generator --port P --rate R --seconds S [--connections C] [--drain-seconds D]
// C keep-alive connections (64) bound the orders in flight; one thread sends on all of them.
// Kafka from ORDERSOURCE_KAFKA_BOOTSTRAP (scripts/bench sets it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <rapidjson/document.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
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

// One keep-alive HTTP/1.1 connection to the gateway with at most one request in flight.
// Non-blocking, so one thread drives them all (see `send_at_rate`); reconnects at its next use
// after a failure.
class Connection {
  public:
    explicit Connection(int port) : port_(port) {}
    ~Connection() { close_socket(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    int fd() const { return fd_; }

    // Sends a POST /orders; false when the connection failed (it is closed then).
    bool post(const std::string& body, const std::string& key) {
        if (fd_ < 0 && !open_socket()) return false;
        const std::string request =
            "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Idempotency-Key: " +
            key + "\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: keep-alive\r\n\r\n" + body;
        received_.clear();
        // With one request in flight the socket's send buffer is empty, so a request this
        // small goes out whole; a short write is a failure like any other.
        if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
            close_socket();
            return false;
        }
        return true;
    }

    enum class Progress { kPending, kComplete, kFailed };

    // Reads what has arrived without blocking. kComplete fills `status` and `body`.
    Progress read_response(int& status, std::string& body) {
        char buffer[4096];
        while (true) {
            const auto n = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n > 0) {
                received_.append(buffer, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            close_socket();  // closed by the peer, or an error
            return Progress::kFailed;
        }
        const auto head_end = received_.find("\r\n\r\n");
        if (head_end == std::string::npos) return Progress::kPending;
        const auto length_at = received_.find("Content-Length: ");
        if (length_at == std::string::npos || length_at > head_end) {
            close_socket();  // the gateway always sends a length; without one, no framing
            return Progress::kFailed;
        }
        const auto length = std::stoul(received_.substr(length_at + 16));
        if (received_.size() < head_end + 4 + length) return Progress::kPending;
        status = std::stoi(received_.substr(9, 3));
        body = received_.substr(head_end + 4, length);
        received_.clear();
        return Progress::kComplete;
    }

    void close_socket() {
        if (fd_ >= 0) ::close(fd_);  // closing also takes it out of any epoll set
        fd_ = -1;
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
    int port_;
    int fd_ = -1;
    std::string received_;
};

// The order id in a 202's body, or empty.
std::string accepted_order_id(int status, const std::string& body) {
    const auto at = body.find(R"("orderId":")");
    if (status != 202 || at == std::string::npos || body.size() < at + 11 + 36) return "";
    return body.substr(at + 11, 36);
}

std::string_view string_member(const rapidjson::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

// What the topics said about one order.
struct Observation {
    std::optional<Clock::time_point> terminal;  // its first terminal event
    bool confirmed = false;
    bool authorized = false;
    bool refunded = false;
};

// What the topics say about the orders, as seen by the watcher thread.
struct Observed {
    std::mutex mutex;
    std::unordered_map<std::string, Observation> orders;

    bool terminal(const std::string& order_id) {
        const std::lock_guard lock(mutex);
        const auto found = orders.find(order_id);
        return found != orders.end() && found->second.terminal;
    }
};

void watch(kafka::PartitionReader& reader, Observed& observed, const std::atomic<bool>& stop) {
    // One pool for every parse: the watcher is a measuring instrument on the cores it
    // measures, so it should not allocate per record more than it must.
    rapidjson::MemoryPoolAllocator<> pool(64 * 1024);
    while (!stop.load()) {
        const auto record = reader.poll(100ms);
        if (!record) continue;
        const auto now = Clock::now();
        pool.Clear();
        rapidjson::Document envelope(&pool);
        envelope.Parse(record->value.c_str());
        if (envelope.HasParseError() || !envelope.IsObject()) continue;
        const auto type = string_member(envelope, "type");
        const auto payload = envelope.FindMember("payload");
        if (payload == envelope.MemberEnd() || !payload->value.IsObject()) continue;
        const bool terminal =
            type == "OrderConfirmed" || type == "OrderCancelled" || type == "OrderRefunded";
        if (!terminal && type != "PaymentAuthorized" && type != "PaymentRefunded") continue;
        const std::lock_guard lock(observed.mutex);
        auto& order = observed.orders[std::string(string_member(payload->value, "orderId"))];
        if (terminal && !order.terminal) order.terminal = now;
        if (type == "OrderConfirmed") order.confirmed = true;
        if (type == "PaymentAuthorized") order.authorized = true;
        if (type == "PaymentRefunded") order.refunded = true;
    }
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
    return values[index];
}

std::string order_body(long index) {
    return R"({"customerId":"load-)" + std::to_string(index % 1000) +
           R"(","currency":"USD","items":[{"sku":"SKU-1","quantity":1,"unitPrice":"0.01"}]})";
}

struct Submissions {
    std::vector<std::pair<std::string, Clock::time_point>> accepted;  // order id, scheduled
    long refused = 0;
};

// Sends order i at started + i/rate on whichever connection is free, from one thread that
// wakes once per tick: one thread per connection cost the load generator two thread wake-ups
// per order, which on this machine's two cores is CPU the cluster under test does not get.
// Latency counts from each order's scheduled time, so neither the tick nor a moment without
// a free connection can hide any wait.
Submissions send_at_rate(const Options& options,
                         const std::string& run,
                         Clock::time_point started) {
    constexpr auto kTick = 1ms;
    constexpr auto kResponseTimeout = 30s;
    struct InFlight {
        bool busy = false;
        Clock::time_point scheduled;
        Clock::time_point sent;
    };
    const auto total = static_cast<long>(options.rate * options.seconds);
    const auto interval = std::chrono::duration<double>(1.0 / options.rate);
    const auto scheduled_at = [&](long i) {
        return started +
               std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
    };
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) throw std::runtime_error("epoll_create1 failed");
    std::vector<std::unique_ptr<Connection>> connections;
    std::vector<InFlight> in_flight(static_cast<std::size_t>(options.connections));
    std::vector<std::size_t> free_connections;  // the lowest first: few sockets stay hot
    for (int c = 0; c < options.connections; ++c) {
        connections.push_back(std::make_unique<Connection>(options.port));
        free_connections.push_back(static_cast<std::size_t>(options.connections - 1 - c));
    }
    Submissions result;
    // Ends connection c's exchange: accepted when `order_id` is not empty, refused otherwise.
    const auto finish = [&](std::size_t c, const std::string& order_id) {
        if (order_id.empty()) {
            ++result.refused;
        } else {
            result.accepted.emplace_back(order_id, in_flight[c].scheduled);
        }
        in_flight[c].busy = false;
        free_connections.push_back(c);
    };
    std::vector<epoll_event> ready(static_cast<std::size_t>(options.connections));
    long next = 0;
    auto wake = started;
    while (next < total || free_connections.size() < connections.size()) {
        std::this_thread::sleep_until(wake);
        wake += kTick;
        const int n = ::epoll_wait(epoll_fd, ready.data(), static_cast<int>(ready.size()), 0);
        for (int e = 0; e < n; ++e) {
            const auto c = static_cast<std::size_t>(ready[static_cast<std::size_t>(e)].data.u64);
            if (!in_flight[c].busy) {
                // Readable while idle: the gateway closed it (or broke the protocol). Reopen
                // at its next use rather than fail the order sent on it then.
                connections[c]->close_socket();
                continue;
            }
            int status = 0;
            std::string body;
            switch (connections[c]->read_response(status, body)) {
                case Connection::Progress::kPending:
                    break;
                case Connection::Progress::kComplete:
                    finish(c, accepted_order_id(status, body));
                    break;
                case Connection::Progress::kFailed:
                    finish(c, "");
                    break;
            }
        }
        const auto now = Clock::now();
        while (next < total && scheduled_at(next) <= now && !free_connections.empty()) {
            const auto c = free_connections.back();
            free_connections.pop_back();
            auto& connection = *connections[c];
            const bool was_open = connection.fd() >= 0;
            in_flight[c] = {true, scheduled_at(next), now};
            if (!connection.post(order_body(next), "load-" + run + "-" + std::to_string(next))) {
                finish(c, "");
            } else if (!was_open) {
                epoll_event event{};
                event.events = EPOLLIN;
                event.data.u64 = c;
                ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, connection.fd(), &event);
            }
            ++next;
        }
        // Behind after a stall: tick on from now instead of running the missed ticks back to
        // back (every order already due was sent above).
        if (now > wake) wake = now;
        for (std::size_t c = 0; c < in_flight.size(); ++c) {
            if (in_flight[c].busy && now - in_flight[c].sent > kResponseTimeout) {
                connections[c]->close_socket();
                finish(c, "");
            }
        }
    }
    ::close(epoll_fd);
    return result;
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
    observed.orders.reserve(static_cast<std::size_t>(options.rate * options.seconds * 1.1) + 16);
    std::atomic<bool> stop_watching{false};
    std::thread watcher([&] { watch(reader, observed, stop_watching); });
    const auto stop_watcher = [&] {
        stop_watching = true;
        watcher.join();
    };

    const auto run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    // Warm-up: one order through the whole saga first, so consumer-group joins and first
    // connections after a fresh start are not measured as latency.
    Options one = options;
    one.rate = 1;
    one.seconds = 1;
    one.connections = 1;
    const auto warm_up = send_at_rate(one, run + "-warmup", Clock::now());
    if (warm_up.accepted.empty()) {
        std::fprintf(stderr, "load_generator: the warm-up order was not accepted\n");
        stop_watcher();
        return 2;
    }
    for (const auto deadline = Clock::now() + 120s;
         !observed.terminal(warm_up.accepted.front().first);) {
        if (Clock::now() > deadline) {
            std::fprintf(stderr, "load_generator: the warm-up order never finished\n");
            stop_watcher();
            return 2;
        }
        std::this_thread::sleep_for(50ms);
    }

    const auto started = Clock::now() + 100ms;
    const auto submissions = send_at_rate(options, run, started);
    const auto& submitted = submissions.accepted;
    const auto sent_until = Clock::now();

    // Drain: wait until every accepted order is terminal, or the deadline.
    const auto deadline = Clock::now() + std::chrono::seconds(options.drain_seconds);
    std::vector<std::string> unfinished;
    for (const auto& order : submitted) unfinished.push_back(order.first);
    while (!unfinished.empty() && Clock::now() < deadline) {
        std::erase_if(unfinished, [&](const std::string& id) { return observed.terminal(id); });
        if (!unfinished.empty()) std::this_thread::sleep_for(100ms);
    }
    stop_watcher();

    std::vector<double> latencies_ms;
    Clock::time_point last_terminal = started;
    std::size_t charged = 0, confirmed = 0;
    for (const auto& [order_id, scheduled] : submitted) {
        const auto found = observed.orders.find(order_id);
        if (found == observed.orders.end()) continue;
        const auto& order = found->second;
        if (order.terminal) {
            latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(*order.terminal - scheduled).count());
            last_terminal = std::max(last_terminal, *order.terminal);
        }
        if (order.confirmed) ++confirmed;
        if (order.authorized && !order.refunded) ++charged;
    }
    const double send_seconds = std::chrono::duration<double>(sent_until - started).count();
    const double finish_seconds = std::chrono::duration<double>(last_terminal - started).count();
    const bool complete = unfinished.empty() && charged == confirmed;
    std::printf(
        "{\"target_rate\":%.0f,\"seconds\":%d,\"accepted\":%zu,\"refused\":%ld,"
        "\"submitted_per_s\":%.1f,\"terminal\":%zu,\"terminal_per_s\":%.1f,"
        "\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,\"confirmed\":%zu,\"charged\":%zu,"
        "\"complete\":%s}\n",
        options.rate, options.seconds, submitted.size(), submissions.refused,
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
