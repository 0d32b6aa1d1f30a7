#include "adapters/http_api.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>

#include "ordersource/core/ids.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::gateway {
namespace {

using Pistache::Http::Code;
using Pistache::Http::Method;

// Pistache 0.0.5 serialises only typed headers (addRaw'd ones are silently dropped), so
// every header we set goes through this one typed class.
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

void set_header(Pistache::Http::ResponseWriter& response, std::string name, std::string value) {
    response.headers().add(std::make_shared<NamedHeader>(std::move(name), std::move(value)));
}

struct Problem {
    Code status;
    std::string slug;
    std::string title;
    std::string detail;
    std::vector<FieldError> errors;
};

std::string problem_body(const Problem& problem) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("type");
    writer.String("/problems/" + problem.slug);
    writer.Key("title");
    writer.String(problem.title);
    writer.Key("status");
    writer.Int(static_cast<int>(problem.status));
    writer.Key("detail");
    writer.String(problem.detail);
    writer.Key("errors");
    writer.StartArray();
    for (const auto& error : problem.errors) {
        writer.StartObject();
        writer.Key("field");
        writer.String(error.field);
        writer.Key("message");
        writer.String(error.message);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

void send_problem(Pistache::Http::ResponseWriter& response, const Problem& problem) {
    // RFC 7807's media type, which Pistache's MediaType cannot represent.
    set_header(response, "Content-Type", "application/problem+json");
    response.send(problem.status, problem_body(problem));
}

std::optional<std::string> header_value(const Pistache::Http::Request& request,
                                        const std::string& name) {
    const auto raw = request.headers().tryGetRaw(name);
    if (!raw) return std::nullopt;
    return raw->value();
}

bool is_printable_token(std::string_view text) {
    for (const char c : text) {
        if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
}

bool is_json_content_type(const std::optional<std::string>& content_type) {
    if (!content_type) return false;
    std::string media = content_type->substr(0, content_type->find(';'));
    while (!media.empty() && media.back() == ' ') media.pop_back();
    for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return media == "application/json";
}

std::string accepted_body(const std::string& order_id) {
    return R"({"orderId":")" + order_id + R"(","status":"PENDING"})";
}

}  // namespace

struct HttpApi::Impl {
    HttpSettings settings;
    OrderIntake& intake;
    OrderQueries& queries;
    std::atomic<bool> accepting{true};
    std::unique_ptr<Pistache::Http::Endpoint> endpoint;

    Impl(const HttpSettings& s, OrderIntake& i, OrderQueries& q)
        : settings(s), intake(i), queries(q) {}

    void get_order(const std::string& order_id, Pistache::Http::ResponseWriter response);

    void handle(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response);
    void post_order(const Pistache::Http::Request& request,
                    Pistache::Http::ResponseWriter response,
                    const std::string& correlation_id);
};

namespace {

class Handler final : public Pistache::Http::Handler {
  public:
    HTTP_PROTOTYPE(Handler)
    explicit Handler(HttpApi::Impl* api) : api_(api) {}
    void onRequest(const Pistache::Http::Request& request,
                   Pistache::Http::ResponseWriter response) override {
        api_->handle(request, std::move(response));
    }

  private:
    HttpApi::Impl* api_;
};

}  // namespace

void HttpApi::Impl::handle(const Pistache::Http::Request& request,
                           Pistache::Http::ResponseWriter response) {
    auto correlation_id = header_value(request, "X-Correlation-Id");
    if (correlation_id && (correlation_id->empty() || correlation_id->size() > 128 ||
                           !is_printable_token(*correlation_id))) {
        send_problem(response, {Code::Bad_Request,
                                "invalid-header",
                                "Invalid header",
                                "X-Correlation-Id must be 1-128 visible ASCII characters",
                                {{"X-Correlation-Id", "1-128 visible ASCII characters"}}});
        return;
    }
    const std::string correlation = correlation_id.value_or(core::new_uuid());
    set_header(response, "X-Correlation-Id", correlation);

    const auto& path = request.resource();
    const auto method = request.method();
    if (path == "/orders") {
        if (method == Method::Post) {
            post_order(request, std::move(response), correlation);
            return;
        }
        set_header(response, "Allow", "POST");
        send_problem(response, {Code::Method_Not_Allowed,
                                "method-not-allowed",
                                "Method not allowed",
                                "use POST on /orders",
                                {}});
        return;
    }
    if (path.starts_with("/orders/")) {
        if (method == Method::Get) {
            get_order(path.substr(std::string_view("/orders/").size()), std::move(response));
            return;
        }
        set_header(response, "Allow", "GET");
        send_problem(response, {Code::Method_Not_Allowed,
                                "method-not-allowed",
                                "Method not allowed",
                                "use GET on /orders/<id>",
                                {}});
        return;
    }
    if (path == "/health/live") {
        if (method == Method::Get) {
            response.send(Code::Ok, R"({"status":"UP"})", MIME(Application, Json));
            return;
        }
        set_header(response, "Allow", "GET");
        send_problem(response, {Code::Method_Not_Allowed,
                                "method-not-allowed",
                                "Method not allowed",
                                "use GET on /health/live",
                                {}});
        return;
    }
    send_problem(response, {Code::Not_Found, "not-found", "Not found", "no route for " + path, {}});
}

void HttpApi::Impl::post_order(const Pistache::Http::Request& request,
                               Pistache::Http::ResponseWriter response,
                               const std::string& correlation_id) {
    if (!accepting.load()) {
        send_problem(response, {Code::Service_Unavailable,
                                "shutting-down",
                                "Shutting down",
                                "this gateway is draining; retry on another instance",
                                {}});
        return;
    }
    if (!is_json_content_type(header_value(request, "Content-Type"))) {
        send_problem(response, {Code::Unsupported_Media_Type,
                                "unsupported-media-type",
                                "Unsupported media type",
                                "send the order as Content-Type: application/json",
                                {}});
        return;
    }
    const auto& body = request.body();
    if (body.size() > settings.max_body_bytes) {
        send_problem(response,
                     {Code::Request_Entity_Too_Large,
                      "payload-too-large",
                      "Payload too large",
                      "the body exceeds " + std::to_string(settings.max_body_bytes) + " bytes",
                      {}});
        return;
    }
    const auto key = header_value(request, "Idempotency-Key");
    if (key && (key->empty() || key->size() > 128)) {
        send_problem(response, {Code::Bad_Request,
                                "invalid-header",
                                "Invalid header",
                                "Idempotency-Key must be 1-128 characters",
                                {{"Idempotency-Key", "must be 1-128 characters"}}});
        return;
    }
    auto validated = validate_order_submission(body);
    if (auto* malformed = std::get_if<MalformedJson>(&validated)) {
        send_problem(response, {Code::Bad_Request,
                                "malformed-json",
                                "Malformed JSON",
                                "the body is not valid JSON: " + malformed->detail,
                                {}});
        return;
    }
    if (auto* errors = std::get_if<std::vector<FieldError>>(&validated)) {
        send_problem(response, {Code::Bad_Request, "validation-error", "Invalid order",
                                std::to_string(errors->size()) + " field(s) are invalid",
                                std::move(*errors)});
        return;
    }
    // The response is completed from the producer's delivery callback, so no worker thread
    // waits for Kafka (PITFALLS.md "Replying to HTTP only after the Kafka ack").
    auto pending = std::make_shared<Pistache::Http::ResponseWriter>(std::move(response));
    try {
        intake.submit(
            SubmitOrder{std::get<OrderSubmission>(std::move(validated)), key, correlation_id},
            [pending, correlation_id](const IntakeOutcome& outcome) {
                const auto peer = pending->getPeer();  // pin the connection while we answer
                if (!peer) {
                    core::log(core::LogLevel::kWarn, "client left before the order was answered",
                              {{"order_id", outcome.order_id}, {"correlation_id", correlation_id}});
                    return;
                }
                switch (outcome.status) {
                    case IntakeStatus::kAccepted:
                    case IntakeStatus::kReplayed: {
                        const bool replayed = outcome.status == IntakeStatus::kReplayed;
                        set_header(*pending, "Location", "/orders/" + outcome.order_id);
                        if (replayed) {
                            set_header(*pending, "Idempotent-Replayed", "true");
                        }
                        pending->send(replayed ? Code::Ok : Code::Accepted,
                                      accepted_body(outcome.order_id), MIME(Application, Json));
                        core::log(
                            core::LogLevel::kInfo, replayed ? "order replayed" : "order accepted",
                            {{"order_id", outcome.order_id}, {"correlation_id", correlation_id}});
                        return;
                    }
                    case IntakeStatus::kKeyConflict:
                        send_problem(*pending, {Code::Conflict,
                                                "idempotency-key-reused",
                                                "Idempotency-Key reused",
                                                outcome.detail,
                                                {}});
                        return;
                    case IntakeStatus::kUnavailable:
                        core::log(core::LogLevel::kWarn, "order not acknowledged by Kafka",
                                  {{"order_id", outcome.order_id},
                                   {"correlation_id", correlation_id},
                                   {"error", outcome.detail}});
                        send_problem(*pending,
                                     {Code::Service_Unavailable,
                                      "kafka-unavailable",
                                      "Order not accepted",
                                      "Kafka did not acknowledge the order; retry with the same "
                                      "Idempotency-Key",
                                      {}});
                        return;
                }
            });
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "order intake failed",
                  {{"error", error.what()}, {"correlation_id", correlation_id}});
        send_problem(*pending, {Code::Service_Unavailable,
                                "unavailable",
                                "Service unavailable",
                                "the order could not be recorded; retry later",
                                {}});
    }
}

void HttpApi::Impl::get_order(const std::string& order_id,
                              Pistache::Http::ResponseWriter response) {
    if (!core::is_uuid(order_id)) {
        send_problem(response, {Code::Bad_Request,
                                "invalid-order-id",
                                "Invalid order id",
                                "an order id is a UUID",
                                {{"orderId", "not a UUID"}}});
        return;
    }
    std::optional<OrderView> view;
    try {
        view = queries.find(order_id);
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "order query failed",
                  {{"order_id", order_id}, {"error", error.what()}});
        send_problem(response, {Code::Service_Unavailable,
                                "unavailable",
                                "Service unavailable",
                                "the order could not be read; retry later",
                                {}});
        return;
    }
    if (!view) {
        send_problem(response,
                     {Code::Not_Found,
                      "order-not-found",
                      "Order not found",
                      "no order " + order_id + " (a just-accepted order appears within moments)",
                      {}});
        return;
    }
    response.send(Code::Ok, to_json(*view), MIME(Application, Json));
}

HttpApi::HttpApi(const HttpSettings& settings, OrderIntake& intake, OrderQueries& queries)
    : impl_(std::make_unique<Impl>(settings, intake, queries)) {}

HttpApi::~HttpApi() = default;

void HttpApi::start() {
    const Pistache::Address address(impl_->settings.bind_address,
                                    Pistache::Port(impl_->settings.port));
    impl_->endpoint = std::make_unique<Pistache::Http::Endpoint>(address);
    // Pistache answers 413 by itself beyond its limit; keep that limit above ours so our
    // own JSON problem answers bodies that are merely too large.
    auto options = Pistache::Http::Endpoint::options()
                       .threads(impl_->settings.threads)
                       .flags(Pistache::Tcp::Options::ReuseAddr)
                       .maxRequestSize(impl_->settings.max_body_bytes * 2 + 16 * 1024);
    impl_->endpoint->init(options);
    impl_->endpoint->setHandler(Pistache::Http::make_handler<Handler>(impl_.get()));
    impl_->endpoint->serveThreaded();
}

std::uint16_t HttpApi::port() const {
    return static_cast<std::uint16_t>(impl_->endpoint->getPort());
}

void HttpApi::stop_accepting_orders() {
    impl_->accepting.store(false);
}

void HttpApi::shutdown() {
    if (impl_->endpoint) {
        impl_->endpoint->shutdown();
    }
}

}  // namespace ordersource::gateway
