#pragma once
// What every service's main() does the same way: --help/--version, configuration errors
// (exit 2), stop signals taken by sigwait, and the health endpoints.

#include <csignal>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "ordersource/http/server.hpp"

namespace ordersource::service {

// `--version` prints "<name> <version>" (exit 0), `--help` the usage (exit 0), anything else
// the usage on stderr (exit 2). nullopt when there are no arguments: run the service.
std::optional<int> handle_command_line(int argc, char** argv, const char* name, const char* usage);

// Reads the configuration with `read`; on core::ConfigError prints "<name>: <reason>" and
// returns nullopt (main exits 2).
template <typename Config, typename Read>
std::optional<Config> read_config(const char* name, Read read);

// Blocks SIGTERM and SIGINT in the calling thread and every thread started after it, so
// wait_for_stop_signal() receives them instead of a random thread. Call first in main().
class StopSignals {
  public:
    StopSignals();
    // Blocks until SIGTERM or SIGINT; returns its name.
    std::string wait() const;

  private:
    sigset_t signals_;
};

// A loop a service runs on its own thread until asked to stop.
struct Worker {
    std::string name;
    std::function<void(std::stop_token)> run;
};

// Starts every worker on its own thread, waits for SIGTERM/SIGINT, then stops them one after
// the other in the given order (each finished before the next is asked), so e.g. the consumer
// stops taking input before the relay publishes the last stored events. A worker that throws
// stops the service the same way; the result is then false (main exits 1).
bool run_until_stopped(const StopSignals& signals, std::vector<Worker> workers);

struct ReadinessCheck {
    std::string name;
    std::function<bool()> ok;  // may throw: counts as not ok
};

// GET /health/live -> {"status":"UP"}; GET /health/ready -> {"status":"UP"|"DOWN",
// "checks":{"<name>":"UP"|"DOWN",...}}, 503 when any check is down.
void add_health_routes(http::Server& server, std::vector<ReadinessCheck> checks);

// GET /metrics: `registry` in the Prometheus text format (must outlive the server). Also
// instruments the server's own requests.
void add_metrics_route(http::Server& server, metrics::Registry& registry);

}  // namespace ordersource::service

#include "ordersource/service/runtime_impl.hpp"
