#pragma once
// The Order aggregate as a decider (STYLE.md "Functional core"): pure functions over plain
// values. The caller loads stream `order-<orderId>`, folds `evolve` from initial_state(), asks
// `decide`, and appends what it returns. Time comes in through the commands, so replaying a
// stream or re-running a command gives the same answer every time.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ordersource/core/money.hpp"

namespace ordersource::order {

using TimePoint = std::chrono::system_clock::time_point;

struct OrderLine {
    std::string sku;
    int quantity = 0;
    core::Cents unit_price;

    bool operator==(const OrderLine&) const = default;
};

enum class Status { kNone, kPending, kConfirmed, kCancelled, kRefunded };

enum class CancellationReason { kPaymentDeclined, kTimeout };

struct State {
    Status status = Status::kNone;
    std::string order_id;
    std::string customer_id;
    std::string currency;
    std::vector<OrderLine> items;
    core::Cents total;
    TimePoint payment_deadline{};
    std::optional<CancellationReason> cancellation_reason;
    // Set once a late payment has been asked back; guards against asking twice.
    bool refund_requested = false;

    bool operator==(const State&) const = default;
};

// ---- commands ----------------------------------------------------------------------------

struct AcceptOrder {
    std::string order_id;
    std::string customer_id;
    std::string currency;
    std::vector<OrderLine> items;
    core::Cents total;
    TimePoint payment_deadline{};
    // When the gateway accepted the order (OrderCreated's occurredAt); recorded in
    // OrderAccepted so the order stream alone rebuilds the gateway's views (ADR 14).
    std::optional<TimePoint> created_at{};
};

struct RecordPaymentAuthorized {
    core::Cents amount;
};

struct RecordPaymentDeclined {
    std::string reason;  // the payment service's reason name, kept for the log only
};

struct CancelOverdue {
    TimePoint now{};
};

struct RecordPaymentRefunded {
    core::Cents amount;
};

using Command = std::variant<AcceptOrder,
                             RecordPaymentAuthorized,
                             RecordPaymentDeclined,
                             CancelOverdue,
                             RecordPaymentRefunded>;

// ---- events ------------------------------------------------------------------------------

struct OrderAccepted {
    std::string order_id;
    std::string customer_id;
    std::string currency;
    std::vector<OrderLine> items;
    core::Cents total;
    std::optional<TimePoint> created_at{};  // absent in schema version 1 (ADR 14)

    bool operator==(const OrderAccepted&) const = default;
};

struct PaymentRequested {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;
    TimePoint deadline{};

    bool operator==(const PaymentRequested&) const = default;
};

struct OrderConfirmed {
    std::string order_id;

    bool operator==(const OrderConfirmed&) const = default;
};

struct OrderCancelled {
    std::string order_id;
    CancellationReason reason = CancellationReason::kPaymentDeclined;

    bool operator==(const OrderCancelled&) const = default;
};

struct RefundRequested {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;

    bool operator==(const RefundRequested&) const = default;
};

struct OrderRefunded {
    std::string order_id;

    bool operator==(const OrderRefunded&) const = default;
};

using Event = std::variant<OrderAccepted,
                           PaymentRequested,
                           OrderConfirmed,
                           OrderCancelled,
                           RefundRequested,
                           OrderRefunded>;

// ---- decisions ---------------------------------------------------------------------------

enum class RejectionCode {
    kAlreadyExists,      // AcceptOrder on a stream that already holds an order
    kInvalid,            // the command's data is inconsistent (empty items, wrong total, ...)
    kUnknownOrder,       // a payment result or timeout for an order never accepted
    kDuplicate,          // the same outcome was already recorded
    kAlreadyTerminal,    // the order already reached an outcome this command cannot change
    kNotDue,             // the payment deadline has not passed yet
    kNoRefundRequested,  // a refund arrived that this order never asked for
};

struct Rejection {
    RejectionCode code = RejectionCode::kInvalid;
    std::string reason;
};

using Decision = std::variant<std::vector<Event>, Rejection>;

State initial_state();
Decision decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// ---- names for the wire and the HTTP API -------------------------------------------------

// "PENDING", "CONFIRMED", "CANCELLED", "REFUNDED"; "NONE" for an order never accepted.
std::string_view status_name(Status status);
// "PAYMENT_DECLINED", "TIMEOUT".
std::string_view cancellation_reason_name(CancellationReason reason);
// The contract's event type, e.g. "OrderAccepted" (the envelope's `type`).
std::string_view event_type(const Event& event);
// "ALREADY_EXISTS", "INVALID", ... for logs.
std::string_view rejection_code_name(RejectionCode code);

// "order-<orderId>".
std::string stream_id(std::string_view order_id);

}  // namespace ordersource::order
