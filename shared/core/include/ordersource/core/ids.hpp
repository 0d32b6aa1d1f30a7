#pragma once
// Event and order ids are UUIDs in canonical lowercase text form.
//
// Ids of events a service derives from an incoming event are name-based (UUID v5) on the
// incoming event's id, so re-processing a redelivered message yields the SAME event ids and
// the event store's idempotent append turns the redelivery into a no-op.
// docs/adr/0007-idempotency-by-derived-event-ids.md

#include <string>
#include <string_view>

namespace ordersource::core {

// A random (v4) UUID.
std::string new_uuid();

// A name-based (v5, SHA-1) UUID in the project's namespace: same name, same id, always.
std::string derived_uuid(std::string_view name);

// Canonical 36-character form, lowercase or uppercase hex.
bool is_uuid(std::string_view text);

}  // namespace ordersource::core
