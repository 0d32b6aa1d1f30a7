#pragma once
// SQL kept as text with named placeholders ("{table}"), filled in before it is sent: for the
// identifiers SQL cannot bind (table and column names). Strings only, no SOCI.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ordersource::pg {

// `sql` with every occurrence of each placeholder replaced by its value, in the order given;
// the values are trusted identifiers from an adapter's own constants, never user input.
std::string with_placeholders(
    std::string_view sql,
    std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace ordersource::pg
