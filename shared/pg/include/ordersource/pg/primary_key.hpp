#pragma once
// Keeps a table's primary key on the columns a release wants, for tables an earlier release
// created with another key. Header-light: strings only, no SOCI.

#include <string>
#include <string_view>

namespace ordersource::pg {

// One DO block that leaves `table` with the primary key `table`_pkey on exactly `columns`
// (a comma-separated list, in key order, e.g. "order_id, version"): a primary key on other
// columns or in another order is dropped, and a table without one gets it. Run it inside the
// migration's transaction; it rewrites the key's index, so it costs a scan of the table once.
// `table` and `columns` are trusted identifiers from the adapter's own constants.
std::string ensure_primary_key_sql(std::string_view table, std::string_view columns);

}  // namespace ordersource::pg
