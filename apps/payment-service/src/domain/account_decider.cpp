#include "domain/account_decider.hpp"

#include <utility>

namespace ordersource::payment {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Decision reject(RejectionCode code, std::string reason) {
    return Rejection{code, std::move(reason)};
}

Decision emit(Event event) { return std::vector<Event>{std::move(event)}; }

Decision decide_authorize(const AuthorizePayment& command, const State& state) {
    // Redelivered order events arrive here again: answering kDuplicate (not a second
    // decision) is what keeps one order to one charge.
    if (state.by_order.contains(command.order_id)) {
        return reject(RejectionCode::kDuplicate,
                      "order " + command.order_id + " was already decided");
    }
    if (command.order_id.empty() || command.customer_id.empty()) {
        return reject(RejectionCode::kInvalid, "order id and customer id are required");
    }
    if (!state.customer_id.empty() && state.customer_id != command.customer_id) {
        return reject(RejectionCode::kInvalid, "account of " + state.customer_id +
                                                   " cannot pay for customer " +
                                                   command.customer_id);
    }
    if (!core::is_currency_code(command.currency)) {
        return reject(RejectionCode::kInvalid, "currency must be three uppercase letters");
    }
    if (command.amount <= core::Cents(0) || command.amount.value() > core::kMaxCents) {
        return reject(RejectionCode::kInvalid, "amount must be positive and within the maximum");
    }

    const auto declined = [&](DeclineReason reason) {
        return emit(PaymentDeclined{command.order_id, command.customer_id, command.amount,
                                    command.currency, reason});
    };
    // Over the limit wins over the chaos decline: it is the reason a customer can act on.
    if (command.amount > remaining_credit(state, command.currency, command.credit_limit)) {
        return declined(DeclineReason::kInsufficientCredit);
    }
    if (command.forced_decline) return declined(DeclineReason::kDeclinedByProvider);
    return emit(PaymentAuthorized{command.order_id, command.customer_id, command.amount,
                                  command.currency});
}

Decision decide_refund(const RefundPayment& command, const State& state) {
    const auto found = state.by_order.find(command.order_id);
    if (found == state.by_order.end()) {
        return reject(RejectionCode::kNothingToRefund,
                      "order " + command.order_id + " was never paid from this account");
    }
    const OrderPayment& payment = found->second;
    switch (payment.decision) {
        case PaymentDecision::kDeclined:
            return reject(RejectionCode::kNothingToRefund,
                          "order " + command.order_id + " was declined: no money moved");
        case PaymentDecision::kAuthorized:
            if (payment.refunded) {
                return reject(RejectionCode::kDuplicate,
                              "order " + command.order_id + " was already refunded");
            }
            return emit(PaymentRefunded{command.order_id, state.customer_id, payment.amount,
                                        payment.currency});
    }
    return reject(RejectionCode::kNothingToRefund, "unknown payment decision");
}

}  // namespace

State initial_state() { return State{}; }

Decision decide(const Command& command, const State& state) {
    return std::visit(Overloaded{
                          [&](const AuthorizePayment& c) { return decide_authorize(c, state); },
                          [&](const RefundPayment& c) { return decide_refund(c, state); },
                      },
                      command);
}

// Events are facts already stored: evolve applies them without judging them, so a stream
// always folds.
State evolve(State state, const Event& event) {
    std::visit(Overloaded{
                   [&](const PaymentAuthorized& e) {
                       state.customer_id = e.customer_id;
                       state.by_currency[e.currency].authorized += e.amount;
                       state.by_order[e.order_id] =
                           OrderPayment{PaymentDecision::kAuthorized, e.amount, e.currency, false};
                   },
                   [&](const PaymentDeclined& e) {
                       state.customer_id = e.customer_id;
                       state.by_order[e.order_id] =
                           OrderPayment{PaymentDecision::kDeclined, e.amount, e.currency, false};
                   },
                   [&](const PaymentRefunded& e) {
                       state.customer_id = e.customer_id;
                       state.by_currency[e.currency].refunded += e.amount;
                       auto& payment = state.by_order[e.order_id];
                       // Only an authorized order is ever refunded, so the refund event
                       // alone is enough to rebuild the entry.
                       payment.decision = PaymentDecision::kAuthorized;
                       payment.amount = e.amount;
                       payment.currency = e.currency;
                       payment.refunded = true;
                   },
               },
               event);
    return state;
}

core::Cents remaining_credit(const State& state,
                             std::string_view currency,
                             core::Cents credit_limit) {
    const auto found = state.by_currency.find(currency);
    if (found == state.by_currency.end()) return credit_limit;
    return credit_limit - found->second.authorized + found->second.refunded;
}

std::string_view decline_reason_name(DeclineReason reason) {
    switch (reason) {
        case DeclineReason::kInsufficientCredit:
            return "INSUFFICIENT_CREDIT";
        case DeclineReason::kDeclinedByProvider:
            return "DECLINED_BY_PROVIDER";
    }
    return "INSUFFICIENT_CREDIT";
}

std::string_view event_type(const Event& event) {
    return std::visit(Overloaded{
                          [](const PaymentAuthorized&) {
                              return std::string_view("PaymentAuthorized");
                          },
                          [](const PaymentDeclined&) {
                              return std::string_view("PaymentDeclined");
                          },
                          [](const PaymentRefunded&) {
                              return std::string_view("PaymentRefunded");
                          },
                      },
                      event);
}

std::string_view rejection_code_name(RejectionCode code) {
    switch (code) {
        case RejectionCode::kDuplicate:
            return "DUPLICATE";
        case RejectionCode::kInvalid:
            return "INVALID";
        case RejectionCode::kNothingToRefund:
            return "NOTHING_TO_REFUND";
    }
    return "INVALID";
}

std::string stream_id(std::string_view customer_id) {
    return "account-" + std::string(customer_id);
}

}  // namespace ordersource::payment
