#pragma once
// The one form of time every writer in this project produces ("2026-11-24T18:34:00.123Z",
// contracts::format_rfc3339_millis), read without the general RFC 3339 parser: a rebuild
// meets a few million of them, and sscanf/strftime were a tenth of its CPU (perf).

#include <cstdint>
#include <optional>
#include <string_view>

namespace ordersource::gateway {

// Milliseconds since the Unix epoch of a time in that form; nullopt for any other text
// (which may still be valid RFC 3339: ask contracts::parse_rfc3339_millis).
std::optional<std::int64_t> canonical_epoch_millis(std::string_view text);

}  // namespace ordersource::gateway
