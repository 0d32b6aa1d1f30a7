#pragma once
// A small HTTP server for every service (Pistache underneath; no Pistache type crosses this
// header): exact-path and prefix routes, JSON problem answers (RFC 7807) for unknown routes
// and wrong methods, and handlers that may answer later from another thread (the gateway
// answers POST /orders from Kafka's delivery callback).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ordersource::metrics {
class Registry;
}

namespace ordersource::http {

struct Request {
    std::string method;                                       // "GET", "POST", ...
    std::string path;                                         // without the query string
    std::map<std::string, std::string, std::less<>> query;    // decoded; last value wins
    std::map<std::string, std::string, std::less<>> headers;  // names lower-cased
    std::string body;

    std::optional<std::string_view> header(std::string_view lower_case_name) const;
    std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers{};
};

struct FieldError {
    std::string field;
    std::string message;
};

// 200-style JSON answer.
Response json_response(int status, std::string body);
// application/problem+json {"type":"/problems/<slug>","title","status","detail","errors":[...]}.
Response problem_response(int status,
                          std::string_view slug,
                          std::string_view title,
                          std::string_view detail,
                          const std::vector<FieldError>& errors = {});

// Completes one request exactly once, from any thread. Copies share the same request; a
// responder dropped without answering answers 500 so no client hangs.
class Responder {
  public:
    void operator()(Response response) const;
    // False once the client disconnected (answering is then a no-op).
    bool client_connected() const;

    struct State;
    explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}

  private:
    std::shared_ptr<State> state_;
};

using Handler = std::function<Response(const Request&)>;
using AsyncHandler = std::function<void(const Request&, Responder)>;

struct ServerSettings {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;  // 0 = any free port (tests); port() tells which
    int threads = 2;
    std::size_t max_body_bytes = 64 * 1024;  // larger bodies get 413 before any handler

    bool operator==(const ServerSettings&) const = default;
};

class Server {
  public:
    explicit Server(ServerSettings settings);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // `path` is exact ("/health/live") or a prefix ending in '/' followed by '*'
    // ("/orders/*" matches "/orders/<anything>"). Exact routes win over prefixes; a path that
    // matches with another method gets 405 with Allow. Register before start().
    void route(std::string method, std::string path, Handler handler);
    void route_async(std::string method, std::string path, AsyncHandler handler);

    // Every (method, path) routed, as registered ("/orders/*" for a prefix route).
    std::vector<std::pair<std::string, std::string>> routes() const;

    // Counts every answer in `registry` (must outlive the server): http_requests_total
    // {route,status} and http_request_duration_seconds{route}, route = "<METHOD> <pattern>".
    // Call before start().
    void instrument(metrics::Registry& registry);

    // Binds and serves on background threads; throws std::runtime_error when it cannot bind.
    void start();
    std::uint16_t port() const;
    // Stops serving (in-flight async answers are dropped); idempotent.
    void shutdown();

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::http
