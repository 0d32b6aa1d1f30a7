#include "ordersource/http/server.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "ordersource/core/log.hpp"
#include "ordersource/core/thread_name.hpp"
#include "ordersource/metrics/registry.hpp"

namespace ordersource::http {
namespace {

// Pistache 0.0.5 serialises only typed headers (addRaw'd ones are silently dropped,
// PITFALLS.md), so every header we send goes through this one typed class.
class NamedHeader final : public Pistache::Http::Header::Header {
  public:
    NamedHeader(std::string name, std::string value)
        : name_(std::move(name)), value_(std::move(value)) {}
    const char* name() const override { return name_.c_str(); }
    void write(std::ostream& stream) const override { stream << value_; }
    std::uint64_t hash() const override {
        return Pistache::Http::Header::detail::hash(name_.c_str());
    }

  private:
    std::string name_;
    std::string value_;
};

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Pistache hands query values over as sent; '+' and %XX are decoded here once.
std::string percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            decoded.push_back(' ');
        } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            decoded.push_back(
                static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            decoded.push_back(text[i]);
        }
    }
    return decoded;
}

std::string_view method_name(Pistache::Http::Method method) {
    using Pistache::Http::Method;
    switch (method) {
        case Method::Get:
            return "GET";
        case Method::Post:
            return "POST";
        case Method::Put:
            return "PUT";
        case Method::Delete:
            return "DELETE";
        case Method::Patch:
            return "PATCH";
        case Method::Head:
            return "HEAD";
        case Method::Options:
            return "OPTIONS";
        default:
            return "OTHER";
    }
}

Request to_request(const Pistache::Http::Request& source) {
    Request request;
    request.method = std::string(method_name(source.method()));
    request.path = source.resource();
    const auto& query = source.query();
    for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
        request.query[percent_decode(it->first)] = percent_decode(it->second);
    }
    for (const auto& [name, raw] : source.headers().rawList()) {
        request.headers[lower(name)] = raw.value();
    }
    for (const auto& typed : source.headers().list()) {
        std::ostringstream value;
        typed->write(value);
        request.headers.try_emplace(lower(typed->name()), value.str());
    }
    request.body = source.body();
    return request;
}

void send(Pistache::Http::ResponseWriter& writer, const Response& response) {
    writer.headers().add(std::make_shared<NamedHeader>("Content-Type", response.content_type));
    for (const auto& [name, value] : response.headers) {
        writer.headers().add(std::make_shared<NamedHeader>(name, value));
    }
    writer.send(static_cast<Pistache::Http::Code>(response.status), response.body);
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    if (found == headers.end()) return std::nullopt;
    return found->second;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    const auto found = query.find(name);
    if (found == query.end()) return std::nullopt;
    return found->second;
}

Response json_response(int status, std::string body) {
    return Response{status, "application/json", std::move(body)};
}

Response problem_response(int status,
                          std::string_view slug,
                          std::string_view title,
                          std::string_view detail,
                          const std::vector<FieldError>& errors) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    const auto string = [&writer](std::string_view text) {
        writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    };
    writer.StartObject();
    writer.Key("type");
    string("/problems/" + std::string(slug));
    writer.Key("title");
    string(title);
    writer.Key("status");
    writer.Int(status);
    writer.Key("detail");
    string(detail);
    writer.Key("errors");
    writer.StartArray();
    for (const auto& error : errors) {
        writer.StartObject();
        writer.Key("field");
        string(error.field);
        writer.Key("message");
        string(error.message);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return Response{status, "application/problem+json",
                    std::string(buffer.GetString(), buffer.GetSize())};
}

struct Responder::State {
    std::mutex mutex;
    std::optional<Pistache::Http::ResponseWriter> writer;
    std::function<void(int status)> on_answer;  // metrics, when the server is instrumented

    explicit State(Pistache::Http::ResponseWriter w) : writer(std::move(w)) {}
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        if (writer) {
            core::log(core::LogLevel::kError, "request dropped without an answer");
            answer(problem_response(500, "internal", "Internal error",
                                    "the request was not answered"));
        }
    }

    void answer(const Response& response) {
        const std::lock_guard lock(mutex);
        if (!writer) return;                  // answered already
        const auto peer = writer->getPeer();  // pins the connection while we write
        if (peer) send(*writer, response);
        writer.reset();
        if (on_answer) on_answer(response.status);
    }
};

void Responder::operator()(Response response) const {
    state_->answer(response);
}

bool Responder::client_connected() const {
    const std::lock_guard lock(state_->mutex);
    return state_->writer && state_->writer->getPeer() != nullptr;
}

struct Route {
    std::string method;
    std::string path;  // exact, or a prefix when `prefix`
    bool prefix = false;
    AsyncHandler handler;
};

struct Server::Impl {
    ServerSettings settings;
    std::vector<Route> routes;
    std::optional<metrics::Family<metrics::Counter>> requests;
    std::optional<metrics::Family<metrics::Histogram>> latency;

    void observe(Responder::State& state, std::string route) {
        if (!requests) return;
        state.on_answer = [this, route = std::move(route),
                           start = std::chrono::steady_clock::now()](int status) {
            requests->with({route, std::to_string(status)}).inc();
            latency->with({route}).observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        };
    }

    std::unique_ptr<Pistache::Http::Endpoint> endpoint;

    // The routes serving `path`: its exact routes or, without any, the longest matching prefix.
    std::vector<const Route*> routes_for(const std::string& path) const {
        std::vector<const Route*> exact;
        std::vector<const Route*> longest_prefix;
        for (const auto& route : routes) {
            if (!route.prefix) {
                if (route.path == path) exact.push_back(&route);
            } else if (path.size() > route.path.size() && path.starts_with(route.path)) {
                if (!longest_prefix.empty() &&
                    route.path.size() > longest_prefix.front()->path.size()) {
                    longest_prefix.clear();
                }
                if (longest_prefix.empty() ||
                    route.path.size() == longest_prefix.front()->path.size()) {
                    longest_prefix.push_back(&route);
                }
            }
        }
        return exact.empty() ? longest_prefix : exact;
    }

    void dispatch(const Pistache::Http::Request& source, Pistache::Http::ResponseWriter writer) {
        auto state = std::make_shared<Responder::State>(std::move(writer));
        Responder respond(state);
        if (source.body().size() > settings.max_body_bytes) {
            respond(problem_response(
                413, "payload-too-large", "Payload too large",
                "the body exceeds " + std::to_string(settings.max_body_bytes) + " bytes"));
            return;
        }
        const auto& path = source.resource();
        const std::vector<const Route*> candidates = routes_for(path);
        const std::string_view method = method_name(source.method());
        const Route* best = nullptr;
        std::string allowed;
        for (const Route* route : candidates) {
            if (route->method == method) best = route;
            if (allowed.find(route->method) == std::string::npos) {
                allowed += (allowed.empty() ? "" : ", ") + route->method;
            }
        }
        if (best != nullptr) {
            observe(*state, best->method + " " + best->path + (best->prefix ? "*" : ""));
            try {
                best->handler(to_request(source), respond);
            } catch (const std::exception& error) {
                core::log(core::LogLevel::kError, "request handler failed",
                          {{"path", path}, {"error", error.what()}});
                respond(problem_response(500, "internal", "Internal error", "the request failed"));
            }
            return;
        }
        observe(*state, "unmatched");
        if (!allowed.empty()) {
            auto response = problem_response(405, "method-not-allowed", "Method not allowed",
                                             "use " + allowed + " on " + path);
            response.headers.emplace_back("Allow", allowed);
            respond(std::move(response));
            return;
        }
        respond(problem_response(404, "not-found", "Not found", "no route for " + path));
    }
};

namespace {

class PistacheHandler final : public Pistache::Http::Handler {
  public:
    HTTP_PROTOTYPE(PistacheHandler)
    explicit PistacheHandler(Server::Impl* server) : server_(server) {}
    void onRequest(const Pistache::Http::Request& request,
                   Pistache::Http::ResponseWriter response) override {
        // Pistache starts its worker threads without a hook, so each names itself at its
        // first request (core/thread_name.hpp says why threads carry names).
        thread_local const bool named = (core::name_this_thread("http-worker"), true);
        static_cast<void>(named);
        server_->dispatch(request, std::move(response));
    }

  private:
    Server::Impl* server_;
};

}  // namespace

Server::Server(ServerSettings settings) : impl_(std::make_unique<Impl>()) {
    impl_->settings = std::move(settings);
}

Server::~Server() {
    shutdown();
}

void Server::route(std::string method, std::string path, Handler handler) {
    route_async(std::move(method), std::move(path),
                [handler = std::move(handler)](const Request& request, const Responder& respond) {
                    respond(handler(request));
                });
}

void Server::route_async(std::string method, std::string path, AsyncHandler handler) {
    Route route{std::move(method), std::move(path), false, std::move(handler)};
    if (route.path.ends_with("/*")) {
        route.path.pop_back();  // keep the '/': "/orders/" matches "/orders/<something>"
        route.prefix = true;
    }
    impl_->routes.push_back(std::move(route));
}

std::vector<std::pair<std::string, std::string>> Server::routes() const {
    std::vector<std::pair<std::string, std::string>> result;
    for (const auto& route : impl_->routes) {
        result.emplace_back(route.method, route.path + (route.prefix ? "*" : ""));
    }
    return result;
}

void Server::instrument(metrics::Registry& registry) {
    impl_->requests = registry.counter(
        "http_requests_total", "HTTP requests answered, by route and status.", {"route", "status"});
    impl_->latency = registry.histogram(
        "http_request_duration_seconds",
        "Time from request to answer (async answers included), by route.", {"route"});
}

void Server::start() {
    const Pistache::Address address(impl_->settings.bind_address,
                                    Pistache::Port(impl_->settings.port));
    impl_->endpoint = std::make_unique<Pistache::Http::Endpoint>(address);
    // Pistache answers 413 on its own beyond its limit; keep that above ours so our JSON
    // problem answers bodies that are merely too large.
    auto options = Pistache::Http::Endpoint::options()
                       .threads(impl_->settings.threads)
                       .flags(Pistache::Tcp::Options::ReuseAddr)
                       .maxRequestSize(impl_->settings.max_body_bytes * 2 + 16 * 1024);
    impl_->endpoint->init(options);
    impl_->endpoint->setHandler(Pistache::Http::make_handler<PistacheHandler>(impl_.get()));
    impl_->endpoint->serveThreaded();
}

std::uint16_t Server::port() const {
    if (!impl_->endpoint) throw std::logic_error("http::Server::port() before start()");
    return static_cast<std::uint16_t>(impl_->endpoint->getPort());
}

void Server::shutdown() {
    if (impl_ && impl_->endpoint) {
        impl_->endpoint->shutdown();
        impl_->endpoint.reset();
    }
}

}  // namespace ordersource::http
