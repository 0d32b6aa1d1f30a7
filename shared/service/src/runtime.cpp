#include "ordersource/service/runtime.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <iostream>
#include <thread>

#include "ordersource/core/log.hpp"
#include "ordersource/core/thread_name.hpp"
#include "ordersource/metrics/registry.hpp"

#ifndef ORDERSOURCE_VERSION
#error "ORDERSOURCE_VERSION must be defined by the build"
#endif

namespace ordersource::service {

std::optional<int> handle_command_line(int argc, char** argv, const char* name, const char* usage) {
    if (argc <= 1) return std::nullopt;
    if (std::strcmp(argv[1], "--version") == 0) {
        std::cout << name << " " << ORDERSOURCE_VERSION << "\n";
        return 0;
    }
    if (std::strcmp(argv[1], "--help") == 0) {
        std::cout << usage;
        return 0;
    }
    std::cerr << name << ": unknown argument " << argv[1] << "\n\n" << usage;
    return 2;
}

StopSignals::StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

std::string StopSignals::wait() const {
    int signal = 0;
    sigwait(&signals_, &signal);
    return strsignal(signal);
}

bool run_until_stopped(const StopSignals& signals, std::vector<Worker> workers) {
    std::atomic<bool> failed{false};
    std::vector<std::jthread> threads;
    threads.reserve(workers.size());
    for (auto& worker : workers) {
        threads.emplace_back([&worker, &failed](std::stop_token stop) {
            core::name_this_thread(worker.name);
            try {
                worker.run(stop);
            } catch (const std::exception& error) {
                // A worker must not die silently: without it the service is half alive.
                core::log(core::LogLevel::kError, "worker failed; stopping the service",
                          {{"worker", worker.name}, {"error", error.what()}});
                failed = true;
                ::kill(::getpid(), SIGTERM);
            }
        });
    }
    core::log(core::LogLevel::kInfo, "running");
    const auto signal = signals.wait();
    core::log(core::LogLevel::kInfo, "stopping", {{"signal", signal}});
    for (std::size_t i = 0; i < threads.size(); ++i) {
        threads[i].request_stop();
        threads[i].join();
        core::log(core::LogLevel::kDebug, "worker stopped", {{"worker", workers[i].name}});
    }
    return !failed;
}

void add_metrics_route(http::Server& server, metrics::Registry& registry) {
    server.instrument(registry);
    server.route("GET", "/metrics", [&registry](const http::Request&) {
        return http::Response{200, std::string(metrics::kContentType), registry.render()};
    });
}

void add_health_routes(http::Server& server, std::vector<ReadinessCheck> checks) {
    server.route("GET", "/health/live", [](const http::Request&) {
        return http::json_response(200, R"({"status":"UP"})");
    });
    server.route("GET", "/health/ready", [checks = std::move(checks)](const http::Request&) {
        bool all_up = true;
        std::string details;
        for (const auto& check : checks) {
            bool up = false;
            try {
                up = check.ok();
            } catch (const std::exception&) {
                up = false;
            }
            all_up = all_up && up;
            details += (details.empty() ? "\"" : ",\"") + check.name + "\":\"" +
                       (up ? "UP" : "DOWN") + "\"";
        }
        return http::json_response(all_up ? 200 : 503, std::string(R"({"status":")") +
                                                           (all_up ? "UP" : "DOWN") +
                                                           R"(","checks":{)" + details + "}}");
    });
}

}  // namespace ordersource::service
