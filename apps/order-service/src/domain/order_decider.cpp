#include "domain/order_decider.hpp"

#include <cstdint>
#include <optional>
#include <utility>

namespace ordersource::order {

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

Decision emit(Event event) {
    return std::vector<Event>{std::move(event)};
}

Decision unknown_order() {
    return reject(RejectionCode::kUnknownOrder, "no order has been accepted on this stream");
}

// The sum of quantity x unit price, or nothing when a line is not positive or the sum passes
// core::kMaxCents. Checked before each multiplication and addition so a hostile command can
// never overflow int64.
std::optional<core::Cents> line_total(const std::vector<OrderLine>& items) {
    std::int64_t sum = 0;
    for (const auto& line : items) {
        const std::int64_t price = line.unit_price.value();
        if (line.quantity <= 0 || price <= 0 || price > core::kMaxCents / line.quantity) {
            return std::nullopt;
        }
        const std::int64_t amount = price * line.quantity;
        if (amount > core::kMaxCents - sum) return std::nullopt;
        sum += amount;
    }
    return core::Cents(sum);
}

Decision decide_accept(const AcceptOrder& command, const State& state) {
    if (state.status != Status::kNone) {
        return reject(RejectionCode::kAlreadyExists, "order " + state.order_id + " already exists");
    }
    if (command.order_id.empty() || command.customer_id.empty()) {
        return reject(RejectionCode::kInvalid, "order id and customer id are required");
    }
    if (!core::is_currency_code(command.currency)) {
        return reject(RejectionCode::kInvalid, "currency must be three uppercase letters");
    }
    if (command.items.empty()) {
        return reject(RejectionCode::kInvalid, "an order needs at least one item");
    }
    const auto sum = line_total(command.items);
    if (!sum) {
        return reject(RejectionCode::kInvalid,
                      "every line needs a positive quantity and unit price, within the maximum");
    }
    if (*sum != command.total) {
        return reject(RejectionCode::kInvalid,
                      "total " + core::format_decimal_amount(command.total) +
                          " is not the sum of the lines " + core::format_decimal_amount(*sum));
    }
    return std::vector<Event>{
        OrderAccepted{command.order_id, command.customer_id, command.currency, command.items,
                      command.total, command.created_at},
        PaymentRequested{command.order_id, command.customer_id, command.total, command.currency,
                         command.payment_deadline},
    };
}

Decision decide_authorized(const RecordPaymentAuthorized& command, const State& state) {
    switch (state.status) {
        case Status::kNone:
            return unknown_order();
        case Status::kPending:
            // Confirming a different amount would charge the customer something they never
            // agreed to: surface the bug instead.
            if (command.amount != state.total) {
                return reject(RejectionCode::kInvalid,
                              "authorized " + core::format_decimal_amount(command.amount) +
                                  " but the order total is " +
                                  core::format_decimal_amount(state.total));
            }
            return emit(OrderConfirmed{state.order_id});
        case Status::kConfirmed:
            return reject(RejectionCode::kDuplicate, "payment already recorded");
        case Status::kCancelled:
            if (state.refund_requested) {
                return reject(RejectionCode::kDuplicate, "refund already requested");
            }
            // The money was taken after the order was given up: give back exactly what was
            // taken, whatever the order said.
            return emit(
                RefundRequested{state.order_id, state.customer_id, command.amount, state.currency});
        case Status::kRefunded:
            return reject(RejectionCode::kDuplicate, "late payment already refunded");
    }
    return unknown_order();
}

Decision decide_declined(const RecordPaymentDeclined& command, const State& state) {
    switch (state.status) {
        case Status::kNone:
            return unknown_order();
        case Status::kPending:
            return emit(OrderCancelled{state.order_id, CancellationReason::kPaymentDeclined});
        case Status::kConfirmed:
        case Status::kCancelled:
        case Status::kRefunded:
            return reject(RejectionCode::kAlreadyTerminal,
                          "order is " + std::string(status_name(state.status)) +
                              "; decline ignored (" + command.reason + ")");
    }
    return unknown_order();
}

Decision decide_overdue(const CancelOverdue& command, const State& state) {
    switch (state.status) {
        case Status::kNone:
            return unknown_order();
        case Status::kPending:
            if (command.now < state.payment_deadline) {
                return reject(RejectionCode::kNotDue, "payment deadline not reached");
            }
            return emit(OrderCancelled{state.order_id, CancellationReason::kTimeout});
        case Status::kConfirmed:
        case Status::kCancelled:
        case Status::kRefunded:
            return reject(RejectionCode::kAlreadyTerminal,
                          "order is " + std::string(status_name(state.status)));
    }
    return unknown_order();
}

Decision decide_refunded(const RecordPaymentRefunded& /*command*/, const State& state) {
    switch (state.status) {
        case Status::kNone:
            return unknown_order();
        case Status::kPending:
        case Status::kConfirmed:
            return reject(
                RejectionCode::kNoRefundRequested,
                "order is " + std::string(status_name(state.status)) + " and asked for no refund");
        case Status::kCancelled:
            if (!state.refund_requested) {
                return reject(RejectionCode::kNoRefundRequested, "no refund was requested");
            }
            return emit(OrderRefunded{state.order_id});
        case Status::kRefunded:
            return reject(RejectionCode::kDuplicate, "refund already recorded");
    }
    return unknown_order();
}

}  // namespace

State initial_state() {
    return State{};
}

Decision decide(const Command& command, const State& state) {
    return std::visit(
        Overloaded{
            [&](const AcceptOrder& c) { return decide_accept(c, state); },
            [&](const RecordPaymentAuthorized& c) { return decide_authorized(c, state); },
            [&](const RecordPaymentDeclined& c) { return decide_declined(c, state); },
            [&](const CancelOverdue& c) { return decide_overdue(c, state); },
            [&](const RecordPaymentRefunded& c) { return decide_refunded(c, state); },
        },
        command);
}

// Events are facts already stored: evolve applies them without judging them, so a stream
// always folds, even one written by an older, buggier version of decide.
State evolve(State state, const Event& event) {
    std::visit(Overloaded{
                   [&](const OrderAccepted& e) {
                       state.status = Status::kPending;
                       state.order_id = e.order_id;
                       state.customer_id = e.customer_id;
                       state.currency = e.currency;
                       state.items = e.items;
                       state.total = e.total;
                   },
                   [&](const PaymentRequested& e) { state.payment_deadline = e.deadline; },
                   [&](const OrderConfirmed&) { state.status = Status::kConfirmed; },
                   [&](const OrderCancelled& e) {
                       state.status = Status::kCancelled;
                       state.cancellation_reason = e.reason;
                   },
                   [&](const RefundRequested&) { state.refund_requested = true; },
                   [&](const OrderRefunded&) { state.status = Status::kRefunded; },
               },
               event);
    return state;
}

std::string_view status_name(Status status) {
    switch (status) {
        case Status::kNone:
            return "NONE";
        case Status::kPending:
            return "PENDING";
        case Status::kConfirmed:
            return "CONFIRMED";
        case Status::kCancelled:
            return "CANCELLED";
        case Status::kRefunded:
            return "REFUNDED";
    }
    return "NONE";
}

std::string_view cancellation_reason_name(CancellationReason reason) {
    switch (reason) {
        case CancellationReason::kPaymentDeclined:
            return "PAYMENT_DECLINED";
        case CancellationReason::kTimeout:
            return "TIMEOUT";
    }
    return "PAYMENT_DECLINED";
}

std::string_view event_type(const Event& event) {
    return std::visit(
        Overloaded{
            [](const OrderAccepted&) { return std::string_view("OrderAccepted"); },
            [](const PaymentRequested&) { return std::string_view("PaymentRequested"); },
            [](const OrderConfirmed&) { return std::string_view("OrderConfirmed"); },
            [](const OrderCancelled&) { return std::string_view("OrderCancelled"); },
            [](const RefundRequested&) { return std::string_view("RefundRequested"); },
            [](const OrderRefunded&) { return std::string_view("OrderRefunded"); },
        },
        event);
}

std::string_view rejection_code_name(RejectionCode code) {
    switch (code) {
        case RejectionCode::kAlreadyExists:
            return "ALREADY_EXISTS";
        case RejectionCode::kInvalid:
            return "INVALID";
        case RejectionCode::kUnknownOrder:
            return "UNKNOWN_ORDER";
        case RejectionCode::kDuplicate:
            return "DUPLICATE";
        case RejectionCode::kAlreadyTerminal:
            return "ALREADY_TERMINAL";
        case RejectionCode::kNotDue:
            return "NOT_DUE";
        case RejectionCode::kNoRefundRequested:
            return "NO_REFUND_REQUESTED";
    }
    return "INVALID";
}

std::string stream_id(std::string_view order_id) {
    return "order-" + std::string(order_id);
}

}  // namespace ordersource::order
