#include "adapters/http_api.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>

#include "adapters/openapi_document.hpp"
#include "ordersource/core/ids.hpp"
#include "ordersource/core/log.hpp"

namespace ordersource::gateway {
namespace {

bool is_printable_token(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

bool is_json_content_type(std::optional<std::string_view> content_type) {
    if (!content_type) return false;
    std::string media(content_type->substr(0, content_type->find(';')));
    while (!media.empty() && media.back() == ' ') media.pop_back();
    for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return media == "application/json";
}

std::vector<http::FieldError> to_http(std::vector<FieldError> errors) {
    std::vector<http::FieldError> converted;
    for (auto& error : errors)
        converted.push_back({std::move(error.field), std::move(error.message)});
    return converted;
}

// Every answer echoes the correlation id the request carried or was given.
http::Response with_correlation(http::Response response, const std::string& correlation_id) {
    response.headers.emplace_back("X-Correlation-Id", correlation_id);
    return response;
}

std::optional<std::int64_t> parse_positive(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
    return value;
}

}  // namespace

struct HttpApi::Impl {
    HttpSettings settings;
    OrderIntake& intake;
    OrderQueries& queries;
    std::atomic<bool> accepting{true};
    http::Server server;

    Impl(const HttpSettings& s, OrderIntake& i, OrderQueries& q)
        : settings(s),
          intake(i),
          queries(q),
          server(http::ServerSettings{s.bind_address, s.port, s.threads, s.max_body_bytes}) {}

    // The request's X-Correlation-Id, a new one when absent, nullopt when malformed.
    static std::optional<std::string> correlation_id(const http::Request& request) {
        const auto given = request.header("x-correlation-id");
        if (!given) return core::new_uuid();
        if (given->empty() || given->size() > 128 || !is_printable_token(*given))
            return std::nullopt;
        return std::string(*given);
    }

    static http::Response bad_correlation_id() {
        return http::problem_response(400, "invalid-header", "Invalid header",
                                      "X-Correlation-Id must be 1-128 visible ASCII characters",
                                      {{"X-Correlation-Id", "1-128 visible ASCII characters"}});
    }

    void post_order(const http::Request& request, const http::Responder& respond);
    http::Response get_order(const http::Request& request);
    http::Response list_orders(const http::Request& request);
};

void HttpApi::Impl::post_order(const http::Request& request, const http::Responder& respond) {
    const auto correlation = correlation_id(request);
    if (!correlation) {
        respond(bad_correlation_id());
        return;
    }
    // Copied into the delivery callback: the answer may come after this function returned.
    const auto answer = [respond, id = *correlation](http::Response response) {
        respond(with_correlation(std::move(response), id));
    };
    if (!accepting.load()) {
        answer(http::problem_response(503, "shutting-down", "Shutting down",
                                      "this gateway is draining; retry on another instance"));
        return;
    }
    if (!is_json_content_type(request.header("content-type"))) {
        answer(http::problem_response(415, "unsupported-media-type", "Unsupported media type",
                                      "send the order as Content-Type: application/json"));
        return;
    }
    const auto key = request.header("idempotency-key");
    if (key && (key->empty() || key->size() > 128)) {
        answer(http::problem_response(400, "invalid-header", "Invalid header",
                                      "Idempotency-Key must be 1-128 characters",
                                      {{"Idempotency-Key", "must be 1-128 characters"}}));
        return;
    }
    auto validated = validate_order_submission(request.body);
    if (auto* malformed = std::get_if<MalformedJson>(&validated)) {
        answer(http::problem_response(400, "malformed-json", "Malformed JSON",
                                      "the body is not valid JSON: " + malformed->detail));
        return;
    }
    if (auto* errors = std::get_if<std::vector<FieldError>>(&validated)) {
        const auto detail = std::to_string(errors->size()) + " field(s) are invalid";
        answer(http::problem_response(400, "validation-error", "Invalid order", detail,
                                      to_http(std::move(*errors))));
        return;
    }
    // Answered from the producer's delivery callback: no worker thread waits for Kafka
    // (PITFALLS.md "Replying to HTTP only after the Kafka ack").
    const std::string correlation_id = *correlation;
    try {
        intake.submit(
            SubmitOrder{std::get<OrderSubmission>(std::move(validated)),
                        key ? std::optional<std::string>(std::string(*key)) : std::nullopt,
                        correlation_id},
            [answer, correlation_id](const IntakeOutcome& outcome) {
                switch (outcome.status) {
                    case IntakeStatus::kAccepted:
                    case IntakeStatus::kReplayed: {
                        const bool replayed = outcome.status == IntakeStatus::kReplayed;
                        auto response = http::json_response(
                            replayed ? 200 : 202,
                            R"({"orderId":")" + outcome.order_id + R"(","status":"PENDING"})");
                        response.headers.emplace_back("Location", "/orders/" + outcome.order_id);
                        if (replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
                        core::log(
                            core::LogLevel::kInfo, replayed ? "order replayed" : "order accepted",
                            {{"order_id", outcome.order_id}, {"correlation_id", correlation_id}});
                        answer(std::move(response));
                        return;
                    }
                    case IntakeStatus::kKeyConflict:
                        answer(http::problem_response(409, "idempotency-key-reused",
                                                      "Idempotency-Key reused", outcome.detail));
                        return;
                    case IntakeStatus::kUnavailable:
                        core::log(core::LogLevel::kWarn, "order not acknowledged by Kafka",
                                  {{"order_id", outcome.order_id},
                                   {"correlation_id", correlation_id},
                                   {"error", outcome.detail}});
                        answer(http::problem_response(503, "kafka-unavailable",
                                                      "Order not accepted",
                                                      "Kafka did not acknowledge the order; retry "
                                                      "with the same Idempotency-Key"));
                        return;
                    case IntakeStatus::kKeyStoreUnavailable:
                        core::log(core::LogLevel::kWarn, "Idempotency-Key not recorded",
                                  {{"order_id", outcome.order_id},
                                   {"correlation_id", correlation_id},
                                   {"error", outcome.detail}});
                        answer(http::problem_response(
                            503, "idempotency-store-unavailable", "Order not accepted",
                            "the Idempotency-Key could not be recorded, so nothing was "
                            "published; retry with the same Idempotency-Key"));
                        return;
                }
            });
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "order intake failed",
                  {{"error", error.what()}, {"correlation_id", correlation_id}});
        answer(http::problem_response(503, "unavailable", "Service unavailable",
                                      "the order could not be recorded; retry later"));
    }
}

http::Response HttpApi::Impl::get_order(const http::Request& request) {
    const auto correlation = correlation_id(request);
    if (!correlation) return bad_correlation_id();
    const std::string order_id = request.path.substr(std::string_view("/orders/").size());
    if (!core::is_uuid(order_id)) {
        return with_correlation(
            http::problem_response(400, "invalid-order-id", "Invalid order id",
                                   "an order id is a UUID", {{"orderId", "not a UUID"}}),
            *correlation);
    }
    std::optional<std::int64_t> version;
    if (const auto given = request.query_param("version")) {
        const auto parsed = parse_positive(*given);
        if (!parsed) {
            return with_correlation(
                http::problem_response(400, "invalid-parameter", "Invalid parameter",
                                       "version is the number of an event in the order's "
                                       "stream, an integer from 1",
                                       {{"version", "an integer from 1"}}),
                *correlation);
        }
        version = parsed;
    }
    std::optional<OrderView> view;
    try {
        view = queries.find(order_id);
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "order query failed",
                  {{"order_id", order_id}, {"error", error.what()}});
        return with_correlation(http::problem_response(503, "unavailable", "Service unavailable",
                                                       "the order could not be read; retry later"),
                                *correlation);
    }
    if (!view) {
        return with_correlation(
            http::problem_response(
                404, "order-not-found", "Order not found",
                "no order " + order_id + " (a just-accepted order appears within moments)"),
            *correlation);
    }
    if (version) {
        // Time travel: the stored history replayed up to the version asked for.
        view = as_of_version(*view, *version);
        if (!view) {
            return with_correlation(
                http::problem_response(
                    404, "version-not-found", "Version not found",
                    "order " + order_id + " has no event with version " + std::to_string(*version)),
                *correlation);
        }
    }
    return with_correlation(http::json_response(200, to_json(*view)), *correlation);
}

http::Response HttpApi::Impl::list_orders(const http::Request& request) {
    const auto correlation = correlation_id(request);
    if (!correlation) return bad_correlation_id();
    auto parsed = parse_order_list_query(request.query);
    if (auto* errors = std::get_if<std::vector<FieldError>>(&parsed)) {
        const auto detail = std::to_string(errors->size()) + " query parameter(s) are invalid";
        return with_correlation(
            http::problem_response(400, "invalid-parameter", "Invalid parameter", detail,
                                   to_http(std::move(*errors))),
            *correlation);
    }
    try {
        const auto page = queries.list(std::get<OrderListQuery>(parsed));
        return with_correlation(http::json_response(200, to_json(page)), *correlation);
    } catch (const std::exception& error) {
        core::log(core::LogLevel::kError, "order list query failed", {{"error", error.what()}});
        return with_correlation(http::problem_response(503, "unavailable", "Service unavailable",
                                                       "the orders could not be read; retry later"),
                                *correlation);
    }
}

HttpApi::HttpApi(const HttpSettings& settings, OrderIntake& intake, OrderQueries& queries)
    : impl_(std::make_unique<Impl>(settings, intake, queries)) {
    impl_->server.route_async(
        "POST", "/orders",
        [impl = impl_.get()](const http::Request& request, const http::Responder& respond) {
            impl->post_order(request, respond);
        });
    impl_->server.route("GET", "/orders", [impl = impl_.get()](const http::Request& request) {
        return impl->list_orders(request);
    });
    impl_->server.route("GET", "/orders/*", [impl = impl_.get()](const http::Request& request) {
        return impl->get_order(request);
    });
    impl_->server.route("GET", "/openapi.json", [](const http::Request&) {
        return http::json_response(200, std::string(openapi_document()));
    });
}

HttpApi::~HttpApi() = default;

http::Server& HttpApi::server() {
    return impl_->server;
}

void HttpApi::start() {
    impl_->server.start();
}

std::uint16_t HttpApi::port() const {
    return impl_->server.port();
}

void HttpApi::stop_accepting_orders() {
    impl_->accepting.store(false);
}

void HttpApi::shutdown() {
    impl_->server.shutdown();
}

}  // namespace ordersource::gateway
