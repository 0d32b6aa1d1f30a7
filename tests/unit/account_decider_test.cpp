#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "domain/account_decider.hpp"

using namespace ordersource::payment;
using ordersource::core::Cents;

namespace {

const Cents kLimit(100000);  // 1000.00, the default PAYMENT_CREDIT_LIMIT

AuthorizePayment authorize(std::string order_id,
                           Cents amount,
                           std::string currency = "USD",
                           bool forced_decline = false) {
    return AuthorizePayment{std::move(order_id), "c-1",  amount,
                            std::move(currency), kLimit, forced_decline};
}

PaymentAuthorized authorized(std::string order_id, Cents amount, std::string currency = "USD") {
    return PaymentAuthorized{std::move(order_id), "c-1", amount, std::move(currency)};
}
PaymentDeclined declined(std::string order_id,
                         Cents amount,
                         DeclineReason reason,
                         std::string currency = "USD") {
    return PaymentDeclined{std::move(order_id), "c-1", amount, std::move(currency), reason};
}
PaymentRefunded refunded(std::string order_id, Cents amount, std::string currency = "USD") {
    return PaymentRefunded{std::move(order_id), "c-1", amount, std::move(currency)};
}

// given(events...): the state an account stream holding these events folds to.
template <class... Events>
State given(const Events&... events) {
    State state = initial_state();
    ((state = evolve(std::move(state), Event{events})), ...);
    return state;
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

std::int64_t remaining(const State& state, const std::string& currency = "USD") {
    return remaining_credit(state, currency, kLimit).value();
}

}  // namespace

// ---- AuthorizePayment --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(payment_within_credit_is_authorized) {
    then_events(decide(authorize("o-1", Cents(10000)), given()),
                {authorized("o-1", Cents(10000))});
}

BOOST_AUTO_TEST_CASE(payment_using_exactly_the_remaining_credit_is_authorized) {
    then_events(decide(authorize("o-2", Cents(40000)), given(authorized("o-1", Cents(60000)))),
                {authorized("o-2", Cents(40000))});
}

BOOST_AUTO_TEST_CASE(payment_over_the_remaining_credit_is_declined_for_insufficient_credit) {
    then_events(decide(authorize("o-2", Cents(40001)), given(authorized("o-1", Cents(60000)))),
                {declined("o-2", Cents(40001), DeclineReason::kInsufficientCredit)});
    then_events(decide(authorize("o-1", Cents(100001)), given()),
                {declined("o-1", Cents(100001), DeclineReason::kInsufficientCredit)});
}

BOOST_AUTO_TEST_CASE(forced_decline_is_declined_by_provider) {
    then_events(decide(authorize("o-1", Cents(100), "USD", true), given()),
                {declined("o-1", Cents(100), DeclineReason::kDeclinedByProvider)});
}

BOOST_AUTO_TEST_CASE(over_the_limit_and_forced_decline_reports_insufficient_credit) {
    then_events(decide(authorize("o-1", Cents(100001), "USD", true), given()),
                {declined("o-1", Cents(100001), DeclineReason::kInsufficientCredit)});
}

BOOST_AUTO_TEST_CASE(already_authorized_order_is_duplicate) {
    then_rejected(decide(authorize("o-1", Cents(100)), given(authorized("o-1", Cents(100)))),
                  RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(already_declined_order_is_duplicate_even_with_credit_now_available) {
    const State state =
        given(declined("o-1", Cents(100), DeclineReason::kDeclinedByProvider));
    then_rejected(decide(authorize("o-1", Cents(100)), state), RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(refunded_order_is_duplicate_when_authorized_again) {
    const State state = given(authorized("o-1", Cents(100)), refunded("o-1", Cents(100)));
    then_rejected(decide(authorize("o-1", Cents(100)), state), RejectionCode::kDuplicate);
}

BOOST_AUTO_TEST_CASE(authorization_with_inconsistent_data_is_invalid) {
    then_rejected(decide(authorize("o-1", Cents(0)), given()), RejectionCode::kInvalid);
    then_rejected(decide(authorize("o-1", Cents(-5)), given()), RejectionCode::kInvalid);
    then_rejected(decide(authorize("o-1", Cents(100), "usd"), given()), RejectionCode::kInvalid);
    then_rejected(decide(authorize("", Cents(100)), given()), RejectionCode::kInvalid);

    auto no_customer = authorize("o-1", Cents(100));
    no_customer.customer_id.clear();
    then_rejected(decide(no_customer, given()), RejectionCode::kInvalid);

    auto other_customer = authorize("o-2", Cents(100));
    other_customer.customer_id = "c-2";
    then_rejected(decide(other_customer, given(authorized("o-1", Cents(100)))),
                  RejectionCode::kInvalid);
}

// ---- RefundPayment -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refund_of_an_authorized_order_returns_its_payment) {
    then_events(decide(RefundPayment{"o-1"}, given(authorized("o-1", Cents(2500), "EUR"))),
                {refunded("o-1", Cents(2500), "EUR")});
}

BOOST_AUTO_TEST_CASE(refund_of_an_unknown_order_has_nothing_to_refund) {
    then_rejected(decide(RefundPayment{"o-9"}, given()), RejectionCode::kNothingToRefund);
    then_rejected(decide(RefundPayment{"o-9"}, given(authorized("o-1", Cents(100)))),
                  RejectionCode::kNothingToRefund);
}

BOOST_AUTO_TEST_CASE(refund_of_a_declined_order_has_nothing_to_refund) {
    const State state =
        given(declined("o-1", Cents(100001), DeclineReason::kInsufficientCredit));
    then_rejected(decide(RefundPayment{"o-1"}, state), RejectionCode::kNothingToRefund);
}

BOOST_AUTO_TEST_CASE(second_refund_is_duplicate) {
    const State state = given(authorized("o-1", Cents(100)), refunded("o-1", Cents(100)));
    then_rejected(decide(RefundPayment{"o-1"}, state), RejectionCode::kDuplicate);
}

// ---- credit, folded from the stream ------------------------------------------------------

BOOST_AUTO_TEST_CASE(credit_is_restored_after_a_refund) {
    State state = given();
    state = fold(state, decide(authorize("o-1", Cents(80000)), state));
    BOOST_TEST(remaining(state) == 20000);
    then_events(decide(authorize("o-2", Cents(30000)), state),
                {declined("o-2", Cents(30000), DeclineReason::kInsufficientCredit)});

    state = fold(state, decide(RefundPayment{"o-1"}, state));
    BOOST_TEST(remaining(state) == 100000);
    then_events(decide(authorize("o-3", Cents(90000)), state),
                {authorized("o-3", Cents(90000))});
}

BOOST_AUTO_TEST_CASE(two_currencies_have_independent_credit) {
    State state = given();
    state = fold(state, decide(authorize("o-1", Cents(100000), "USD"), state));
    BOOST_TEST(remaining(state, "USD") == 0);
    BOOST_TEST(remaining(state, "EUR") == 100000);

    then_events(decide(authorize("o-2", Cents(1), "USD"), state),
                {declined("o-2", Cents(1), DeclineReason::kInsufficientCredit, "USD")});
    then_events(decide(authorize("o-3", Cents(100000), "EUR"), state),
                {authorized("o-3", Cents(100000), "EUR")});

    state = fold(state, decide(authorize("o-3", Cents(100000), "EUR"), state));
    state = fold(state, decide(RefundPayment{"o-1"}, state));
    BOOST_TEST(remaining(state, "USD") == 100000);
    BOOST_TEST(remaining(state, "EUR") == 0);
}

BOOST_AUTO_TEST_CASE(declined_payments_use_no_credit) {
    State state = given();
    state = fold(state, decide(authorize("o-1", Cents(500), "USD", true), state));
    state = fold(state, decide(authorize("o-2", Cents(100001)), state));
    BOOST_TEST(remaining(state) == 100000);
}

BOOST_AUTO_TEST_CASE(folding_decided_events_yields_the_expected_account) {
    State state = given();
    state = fold(state, decide(authorize("o-1", Cents(700)), state));
    state = fold(state, decide(authorize("o-2", Cents(300), "USD", true), state));
    state = fold(state, decide(RefundPayment{"o-1"}, state));

    State expected;
    expected.customer_id = "c-1";
    expected.by_currency["USD"] = CurrencyTotals{Cents(700), Cents(700)};
    expected.by_order["o-1"] = OrderPayment{PaymentDecision::kAuthorized, Cents(700), "USD", true};
    expected.by_order["o-2"] = OrderPayment{PaymentDecision::kDeclined, Cents(300), "USD", false};
    BOOST_TEST((state == expected));
    BOOST_TEST((state == given(authorized("o-1", Cents(700)),
                               declined("o-2", Cents(300), DeclineReason::kDeclinedByProvider),
                               refunded("o-1", Cents(700)))));
}

// ---- names -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(decline_reason_and_event_type_names_follow_the_contract) {
    BOOST_TEST(decline_reason_name(DeclineReason::kInsufficientCredit) ==
               std::string("INSUFFICIENT_CREDIT"));
    BOOST_TEST(decline_reason_name(DeclineReason::kDeclinedByProvider) ==
               std::string("DECLINED_BY_PROVIDER"));
    BOOST_TEST(stream_id("c-1") == "account-c-1");
    const std::vector<Event> all{authorized("o-1", Cents(1)),
                                 declined("o-1", Cents(1), DeclineReason::kInsufficientCredit),
                                 refunded("o-1", Cents(1))};
    const std::vector<std::string> expected{"PaymentAuthorized", "PaymentDeclined",
                                            "PaymentRefunded"};
    BOOST_TEST(types_of(all) == expected, boost::test_tools::per_element());
}
