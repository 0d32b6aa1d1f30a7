#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "domain/order_decider.hpp"

using namespace ordersource::order;
using ordersource::core::Cents;
using namespace std::chrono_literals;

namespace {

const TimePoint kDeadline = TimePoint{} + 1'000'000h;

const std::vector<OrderLine> kItems{{"SKU-1", 2, Cents(4999)}, {"SKU-2", 1, Cents(2)}};
const Cents kTotal(10000);

AcceptOrder accept_order() { return AcceptOrder{"o-1", "c-1", "USD", kItems, kTotal, kDeadline}; }

OrderAccepted order_accepted() { return OrderAccepted{"o-1", "c-1", "USD", kItems, kTotal}; }
PaymentRequested payment_requested() {
    return PaymentRequested{"o-1", "c-1", kTotal, "USD", kDeadline};
}
OrderConfirmed order_confirmed() { return OrderConfirmed{"o-1"}; }
OrderCancelled cancelled_for(CancellationReason reason) { return OrderCancelled{"o-1", reason}; }
RefundRequested refund_requested() { return RefundRequested{"o-1", "c-1", kTotal, "USD"}; }
OrderRefunded order_refunded() { return OrderRefunded{"o-1"}; }

// given(events...): the state a stream holding these events folds to.
template <class... Events>
State given(const Events&... events) {
    State state = initial_state();
    ((state = evolve(std::move(state), Event{events})), ...);
    return state;
}

State pending() { return given(order_accepted(), payment_requested()); }
State confirmed() { return given(order_accepted(), payment_requested(), order_confirmed()); }
State cancelled(CancellationReason reason = CancellationReason::kTimeout) {
    return given(order_accepted(), payment_requested(), cancelled_for(reason));
}
State refund_pending() {
    return given(order_accepted(), payment_requested(), cancelled_for(CancellationReason::kTimeout),
                 refund_requested());
}
State refunded() {
    return given(order_accepted(), payment_requested(), cancelled_for(CancellationReason::kTimeout),
                 refund_requested(), order_refunded());
}

std::vector<std::string> types_of(const std::vector<Event>& events) {
    std::vector<std::string> types;
    for (const auto& event : events) types.emplace_back(event_type(event));
    return types;
}

std::vector<Event> events_of(const Decision& decision) {
    if (const auto* rejection = std::get_if<Rejection>(&decision)) {
        BOOST_FAIL("expected events, got rejection " +
                   std::string(rejection_code_name(rejection->code)) + ": " + rejection->reason);
    }
    return std::get<std::vector<Event>>(decision);
}

void then_events(const Decision& decision, const std::vector<Event>& expected) {
    const auto actual = events_of(decision);
    BOOST_TEST(types_of(actual) == types_of(expected), boost::test_tools::per_element());
    BOOST_TEST((actual == expected));
}

void then_rejected(const Decision& decision, RejectionCode expected) {
    if (const auto* events = std::get_if<std::vector<Event>>(&decision)) {
        std::string types;
        for (const auto& type : types_of(*events)) types += type + " ";
        BOOST_FAIL("expected rejection " + std::string(rejection_code_name(expected)) +
                   ", got events " + types);
    }
    const auto& rejection = std::get<Rejection>(decision);
    BOOST_TEST(std::string(rejection_code_name(rejection.code)) ==
               std::string(rejection_code_name(expected)));
    BOOST_TEST(!rejection.reason.empty());
}

State fold(State state, const Decision& decision) {
    for (const auto& event : events_of(decision)) state = evolve(std::move(state), event);
    return state;
}

}  // namespace

// ---- AcceptOrder -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(accept_order_accepts_and_requests_payment_until_the_deadline) {
    then_events(decide(accept_order(), given()), {order_accepted(), payment_requested()});
}

BOOST_AUTO_TEST_CASE(accept_order_on_an_existing_order_is_rejected_as_already_exists) {
    for (const auto& state : {pending(), confirmed(), cancelled(), refunded()}) {
        then_rejected(decide(accept_order(), state), RejectionCode::kAlreadyExists);
    }
}

BOOST_AUTO_TEST_CASE(accept_order_without_items_is_invalid) {
    auto command = accept_order();
    command.items.clear();
    command.total = Cents(0);
    then_rejected(decide(command, given()), RejectionCode::kInvalid);
}

BOOST_AUTO_TEST_CASE(accept_order_whose_total_is_not_the_sum_of_its_lines_is_invalid) {
    auto command = accept_order();
    command.total = Cents(9999);
    then_rejected(decide(command, given()), RejectionCode::kInvalid);
}

BOOST_AUTO_TEST_CASE(accept_order_with_a_non_positive_line_is_invalid) {
    auto zero_quantity = accept_order();
    zero_quantity.items = {{"SKU-1", 0, Cents(100)}};
    zero_quantity.total = Cents(0);
    then_rejected(decide(zero_quantity, given()), RejectionCode::kInvalid);

    auto negative_quantity = accept_order();
    negative_quantity.items = {{"SKU-1", -1, Cents(-100)}};
    negative_quantity.total = Cents(100);
    then_rejected(decide(negative_quantity, given()), RejectionCode::kInvalid);

    auto free_item = accept_order();
    free_item.items = {{"SKU-1", 1, Cents(0)}};
    free_item.total = Cents(0);
    then_rejected(decide(free_item, given()), RejectionCode::kInvalid);
}

BOOST_AUTO_TEST_CASE(accept_order_beyond_the_maximum_amount_is_invalid_without_overflow) {
    auto command = accept_order();
    command.items = {{"SKU-1", 1'000'000'000, Cents(ordersource::core::kMaxCents)},
                     {"SKU-2", 1, Cents(1)}};
    command.total = Cents(1);
    then_rejected(decide(command, given()), RejectionCode::kInvalid);

    auto summed = accept_order();
    summed.items = {{"SKU-1", 1, Cents(ordersource::core::kMaxCents)}, {"SKU-2", 1, Cents(1)}};
    summed.total = Cents(ordersource::core::kMaxCents + 1);
    then_rejected(decide(summed, given()), RejectionCode::kInvalid);
}

BOOST_AUTO_TEST_CASE(accept_order_without_ids_or_with_a_bad_currency_is_invalid) {
    auto no_order_id = accept_order();
    no_order_id.order_id.clear();
    then_rejected(decide(no_order_id, given()), RejectionCode::kInvalid);

    auto no_customer = accept_order();
    no_customer.customer_id.clear();
    then_rejected(decide(no_customer, given()), RejectionCode::kInvalid);

    auto bad_currency = accept_order();
    bad_currency.currency = "usd";
    then_rejected(decide(bad_currency, given()), RejectionCode::kInvalid);
}

// ---- RecordPaymentAuthorized -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(payment_authorized_confirms_pending_order) {
    then_events(decide(RecordPaymentAuthorized{kTotal}, pending()), {order_confirmed()});
}

BOOST_AUTO_TEST_CASE(payment_authorized_for_another_amount_than_the_total_is_invalid) {
    then_rejected(decide(RecordPaymentAuthorized{Cents(1)}, pending()), RejectionCode::kInvalid);
}

BOOST_AUTO_TEST_CASE(payment_authorized_twice_is_duplicate) {
    then_rejected(decide(RecordPaymentAuthorized{kTotal}, confirmed()), RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(late_payment_after_timeout_requests_refund) {
    then_events(decide(RecordPaymentAuthorized{kTotal}, cancelled(CancellationReason::kTimeout)),
                {refund_requested()});
}

BOOST_AUTO_TEST_CASE(late_payment_after_decline_also_requests_refund) {
    then_events(
        decide(RecordPaymentAuthorized{kTotal}, cancelled(CancellationReason::kPaymentDeclined)),
        {refund_requested()});
}

BOOST_AUTO_TEST_CASE(late_payment_refund_gives_back_the_amount_actually_taken) {
    then_events(decide(RecordPaymentAuthorized{Cents(123)}, cancelled()),
                {RefundRequested{"o-1", "c-1", Cents(123), "USD"}});
}

BOOST_AUTO_TEST_CASE(late_payment_after_refund_requested_is_duplicate) {
    then_rejected(decide(RecordPaymentAuthorized{kTotal}, refund_pending()),
                  RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(late_payment_after_refund_is_duplicate) {
    then_rejected(decide(RecordPaymentAuthorized{kTotal}, refunded()), RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(payment_authorized_for_unknown_order_is_rejected) {
    then_rejected(decide(RecordPaymentAuthorized{kTotal}, given()), RejectionCode::kUnknownOrder);
}

// ---- RecordPaymentDeclined ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(payment_declined_cancels_order) {
    then_events(decide(RecordPaymentDeclined{"INSUFFICIENT_CREDIT"}, pending()),
                {cancelled_for(CancellationReason::kPaymentDeclined)});
}

BOOST_AUTO_TEST_CASE(payment_declined_after_cancellation_is_already_terminal) {
    for (const auto reason : {CancellationReason::kTimeout, CancellationReason::kPaymentDeclined}) {
        then_rejected(decide(RecordPaymentDeclined{"INSUFFICIENT_CREDIT"}, cancelled(reason)),
                      RejectionCode::kAlreadyTerminal);
    }
    then_rejected(decide(RecordPaymentDeclined{"INSUFFICIENT_CREDIT"}, refund_pending()),
                  RejectionCode::kAlreadyTerminal);
}

BOOST_AUTO_TEST_CASE(payment_declined_after_confirmation_or_refund_is_already_terminal) {
    then_rejected(decide(RecordPaymentDeclined{"DECLINED_BY_PROVIDER"}, confirmed()),
                  RejectionCode::kAlreadyTerminal);
    then_rejected(decide(RecordPaymentDeclined{"DECLINED_BY_PROVIDER"}, refunded()),
                  RejectionCode::kAlreadyTerminal);
}

BOOST_AUTO_TEST_CASE(payment_declined_for_unknown_order_is_rejected) {
    then_rejected(decide(RecordPaymentDeclined{"INSUFFICIENT_CREDIT"}, given()),
                  RejectionCode::kUnknownOrder);
}

// ---- CancelOverdue -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pending_order_at_its_deadline_is_cancelled_for_timeout) {
    then_events(decide(CancelOverdue{kDeadline}, pending()),
                {cancelled_for(CancellationReason::kTimeout)});
    then_events(decide(CancelOverdue{kDeadline + 1h}, pending()),
                {cancelled_for(CancellationReason::kTimeout)});
}

BOOST_AUTO_TEST_CASE(pending_order_before_its_deadline_is_not_due) {
    then_rejected(decide(CancelOverdue{kDeadline - 1ms}, pending()), RejectionCode::kNotDue);
}

BOOST_AUTO_TEST_CASE(overdue_check_on_a_terminal_order_is_already_terminal) {
    for (const auto& state : {confirmed(), cancelled(), refund_pending(), refunded()}) {
        then_rejected(decide(CancelOverdue{kDeadline + 1h}, state),
                      RejectionCode::kAlreadyTerminal);
    }
}

BOOST_AUTO_TEST_CASE(overdue_check_for_unknown_order_is_rejected) {
    then_rejected(decide(CancelOverdue{kDeadline}, given()), RejectionCode::kUnknownOrder);
}

// ---- RecordPaymentRefunded ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refund_after_refund_request_marks_order_refunded) {
    then_events(decide(RecordPaymentRefunded{kTotal}, refund_pending()), {order_refunded()});
}

BOOST_AUTO_TEST_CASE(refund_that_was_never_requested_is_rejected) {
    for (const auto& state : {pending(), confirmed(), cancelled()}) {
        then_rejected(decide(RecordPaymentRefunded{kTotal}, state),
                      RejectionCode::kNoRefundRequested);
    }
}

BOOST_AUTO_TEST_CASE(refund_recorded_twice_is_duplicate) {
    then_rejected(decide(RecordPaymentRefunded{kTotal}, refunded()), RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(refund_for_unknown_order_is_rejected) {
    then_rejected(decide(RecordPaymentRefunded{kTotal}, given()), RejectionCode::kUnknownOrder);
}

// ---- folding what decide returned --------------------------------------------------------

BOOST_AUTO_TEST_CASE(folding_accepted_events_yields_a_pending_order_with_its_deadline) {
    const State state = fold(initial_state(), decide(accept_order(), initial_state()));
    BOOST_TEST(status_name(state.status) == std::string("PENDING"));
    BOOST_TEST(state.order_id == "o-1");
    BOOST_TEST(state.customer_id == "c-1");
    BOOST_TEST(state.currency == "USD");
    BOOST_TEST((state.items == kItems));
    BOOST_TEST(state.total.value() == kTotal.value());
    BOOST_TEST((state.payment_deadline == kDeadline));
    BOOST_TEST(!state.cancellation_reason.has_value());
    BOOST_TEST(!state.refund_requested);
    BOOST_TEST((state == pending()));
}

BOOST_AUTO_TEST_CASE(folding_a_confirmation_yields_a_confirmed_order) {
    const State state = fold(pending(), decide(RecordPaymentAuthorized{kTotal}, pending()));
    BOOST_TEST(status_name(state.status) == std::string("CONFIRMED"));
    BOOST_TEST((state == confirmed()));
}

BOOST_AUTO_TEST_CASE(folding_a_decline_yields_an_order_cancelled_for_payment_declined) {
    const State state = fold(pending(), decide(RecordPaymentDeclined{"x"}, pending()));
    BOOST_TEST(status_name(state.status) == std::string("CANCELLED"));
    BOOST_REQUIRE(state.cancellation_reason.has_value());
    BOOST_TEST(cancellation_reason_name(*state.cancellation_reason) ==
               std::string("PAYMENT_DECLINED"));
}

BOOST_AUTO_TEST_CASE(folding_timeout_late_payment_and_refund_yields_a_refunded_order) {
    State state = pending();
    state = fold(state, decide(CancelOverdue{kDeadline}, state));
    BOOST_TEST(status_name(state.status) == std::string("CANCELLED"));
    BOOST_REQUIRE(state.cancellation_reason.has_value());
    BOOST_TEST(cancellation_reason_name(*state.cancellation_reason) == std::string("TIMEOUT"));

    state = fold(state, decide(RecordPaymentAuthorized{kTotal}, state));
    BOOST_TEST(status_name(state.status) == std::string("CANCELLED"));
    BOOST_TEST(state.refund_requested);

    state = fold(state, decide(RecordPaymentRefunded{kTotal}, state));
    BOOST_TEST(status_name(state.status) == std::string("REFUNDED"));
    BOOST_TEST((state == refunded()));
}

// ---- names -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(status_and_cancellation_reason_names_follow_the_http_contract) {
    BOOST_TEST(status_name(Status::kPending) == std::string("PENDING"));
    BOOST_TEST(status_name(Status::kConfirmed) == std::string("CONFIRMED"));
    BOOST_TEST(status_name(Status::kCancelled) == std::string("CANCELLED"));
    BOOST_TEST(status_name(Status::kRefunded) == std::string("REFUNDED"));
    BOOST_TEST(cancellation_reason_name(CancellationReason::kPaymentDeclined) ==
               std::string("PAYMENT_DECLINED"));
    BOOST_TEST(cancellation_reason_name(CancellationReason::kTimeout) == std::string("TIMEOUT"));
}

BOOST_AUTO_TEST_CASE(stream_and_event_type_names_follow_the_event_catalogue) {
    BOOST_TEST(stream_id("o-1") == "order-o-1");
    const std::vector<Event> all{order_accepted(),
                                 payment_requested(),
                                 order_confirmed(),
                                 cancelled_for(CancellationReason::kTimeout),
                                 refund_requested(),
                                 order_refunded()};
    const std::vector<std::string> expected{"OrderAccepted",  "PaymentRequested",
                                            "OrderConfirmed", "OrderCancelled",
                                            "RefundRequested", "OrderRefunded"};
    BOOST_TEST(types_of(all) == expected, boost::test_tools::per_element());
}
