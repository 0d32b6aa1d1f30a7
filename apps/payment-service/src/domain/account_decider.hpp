#pragma once
// A customer's credit account as a decider (STYLE.md "Functional core"): pure functions over
// plain values. Stream `account-<customerId>` holds every payment decision for that customer,
// so the remaining credit is a fold of the stream, never a stored counter. The caller passes
// the credit limit and the chaos decline in with the command, so decide stays deterministic.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ordersource/core/money.hpp"

namespace ordersource::payment {

struct CurrencyTotals {
    core::Cents authorized;
    core::Cents refunded;

    bool operator==(const CurrencyTotals&) const = default;
};

enum class PaymentDecision { kAuthorized, kDeclined };

struct OrderPayment {
    PaymentDecision decision = PaymentDecision::kDeclined;
    core::Cents amount;
    std::string currency;
    bool refunded = false;

    bool operator==(const OrderPayment&) const = default;
};

struct State {
    std::string customer_id;                           // empty until the first event
    std::map<std::string, CurrencyTotals, std::less<>> by_currency;  // key: currency code
    std::map<std::string, OrderPayment, std::less<>> by_order;       // key: order id

    bool operator==(const State&) const = default;
};

// ---- commands ----------------------------------------------------------------------------

struct AuthorizePayment {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;
    core::Cents credit_limit;
    // Chaos runs decline at random; the dice are rolled by the caller so decide stays pure.
    bool forced_decline = false;
};

struct RefundPayment {
    std::string order_id;
};

using Command = std::variant<AuthorizePayment, RefundPayment>;

// ---- events ------------------------------------------------------------------------------

enum class DeclineReason { kInsufficientCredit, kDeclinedByProvider };

struct PaymentAuthorized {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;

    bool operator==(const PaymentAuthorized&) const = default;
};

struct PaymentDeclined {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;
    DeclineReason reason = DeclineReason::kInsufficientCredit;

    bool operator==(const PaymentDeclined&) const = default;
};

struct PaymentRefunded {
    std::string order_id;
    std::string customer_id;
    core::Cents amount;
    std::string currency;

    bool operator==(const PaymentRefunded&) const = default;
};

using Event = std::variant<PaymentAuthorized, PaymentDeclined, PaymentRefunded>;

// ---- decisions ---------------------------------------------------------------------------

enum class RejectionCode {
    kDuplicate,        // this order was already decided (or already refunded): a no-op
    kInvalid,          // the command's data is inconsistent (no amount, wrong account, ...)
    kNothingToRefund,  // the order was never authorized on this account
};

struct Rejection {
    RejectionCode code = RejectionCode::kInvalid;
    std::string reason;
};

using Decision = std::variant<std::vector<Event>, Rejection>;

State initial_state();
Decision decide(const Command& command, const State& state);
State evolve(State state, const Event& event);

// limit - authorized + refunded in that currency; may be negative if the limit was lowered.
core::Cents remaining_credit(const State& state,
                             std::string_view currency,
                             core::Cents credit_limit);

// "INSUFFICIENT_CREDIT", "DECLINED_BY_PROVIDER".
std::string_view decline_reason_name(DeclineReason reason);
// The contract's event type, e.g. "PaymentAuthorized" (the envelope's `type`).
std::string_view event_type(const Event& event);
// "DUPLICATE", "INVALID", "NOTHING_TO_REFUND" for logs.
std::string_view rejection_code_name(RejectionCode code);

// "account-<customerId>".
std::string stream_id(std::string_view customer_id);

}  // namespace ordersource::payment
