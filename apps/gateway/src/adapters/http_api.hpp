#pragma once
// The gateway's HTTP interface on the shared server (ordersource::http): POST /orders,
// GET /orders/<id>. main() adds health and metrics routes to server() before start().

#include <cstdint>
#include <memory>
#include <string>

#include "app/order_intake.hpp"
#include "ordersource/http/server.hpp"

namespace ordersource::gateway {

struct HttpSettings {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = any free port (tests)
    int threads = 2;
    std::size_t max_body_bytes = 64 * 1024;

    bool operator==(const HttpSettings&) const = default;
};

class HttpApi {
  public:
    // `queries` answers GET /orders/<id> from the read model.
    HttpApi(const HttpSettings& settings, OrderIntake& intake, OrderQueries& queries);
    ~HttpApi();
    HttpApi(const HttpApi&) = delete;
    HttpApi& operator=(const HttpApi&) = delete;

    // For more routes and instrumentation, before start().
    http::Server& server();
    // Binds and serves on background threads; throws when the address cannot be bound.
    void start();
    // The port actually bound (differs from the setting when that was 0).
    std::uint16_t port() const;
    // From now on POST /orders answers 503: used while draining at shutdown.
    void stop_accepting_orders();
    // Stops serving; call after every in-flight order was answered (producer flushed).
    void shutdown();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::gateway
