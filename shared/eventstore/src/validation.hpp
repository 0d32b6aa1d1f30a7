#pragma once
// Checks a batch before any storage is touched, so both stores reject the same inputs with
// the same reasons and the database never sees text it would refuse (NUL bytes, bad UTF-8).

#include <string>
#include <variant>
#include <vector>

#include "ordersource/eventstore/types.hpp"

namespace ordersource::eventstore::detail {

// The batch's event ids in canonical lowercase form, or why the batch is invalid.
std::variant<std::vector<std::string>, InvalidInput> validate_batch(
    const StreamId& stream, const std::vector<NewEvent>& events);

// The stream id alone (reads accept any id; only appends need this).
std::variant<std::monostate, InvalidInput> validate_stream_id(const StreamId& stream);

}  // namespace ordersource::eventstore::detail

namespace ordersource::eventstore::detail {

// Whether a stream at `current` satisfies the caller's expectation.
inline bool satisfies(const ExpectedVersion& expected, StreamVersion current) {
    if (std::holds_alternative<Any>(expected)) {
        return true;
    }
    if (std::holds_alternative<NoStream>(expected)) {
        return current.value() == 0;
    }
    return std::get<Exact>(expected).version == current;
}

// Why a batch whose ids are partly stored (or stored elsewhere) is refused.
inline InvalidInput already_stored(const std::string& event_id, const std::string& where) {
    return InvalidInput{"event id '" + event_id + "' is already stored " + where +
                        "; a batch must be entirely new or an exact repeat of an earlier append"};
}

}  // namespace ordersource::eventstore::detail
