#include "ordersource/pg/primary_key.hpp"

#include "ordersource/pg/sql_text.hpp"

namespace ordersource::pg {
namespace {

// {table}, {columns} ("a, b") and {wanted} (those columns as a name[] literal). CAST, not ::,
// and no := : SOCI reads a colon as the start of a bind placeholder.
constexpr std::string_view kEnsurePrimaryKey = R"sql(DO $$
DECLARE
    key_name name;
    key_columns name[];
BEGIN
    SELECT c.conname, array_agg(a.attname ORDER BY k.key_position) INTO key_name, key_columns
    FROM pg_constraint AS c
    CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, key_position)
    JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
    WHERE c.conrelid = CAST('{table}' AS regclass) AND c.contype = 'p'
    GROUP BY c.conname;
    IF key_name IS NOT NULL AND key_columns <> {wanted} THEN
        EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', key_name);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_constraint
                   WHERE conrelid = CAST('{table}' AS regclass) AND contype = 'p') THEN
        ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({columns});
    END IF;
END $$)sql";

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

// "order_id, version" as CAST(ARRAY['order_id','version'] AS name[]).
std::string name_array(std::string_view columns) {
    std::string out = "CAST(ARRAY[";
    for (bool first = true; !columns.empty(); first = false) {
        const auto comma = columns.find(',');
        if (!first) out += ',';
        out += '\'';
        out += trimmed(columns.substr(0, comma));
        out += '\'';
        columns = comma == std::string_view::npos ? std::string_view{} : columns.substr(comma + 1);
    }
    return out + "] AS name[])";
}

}  // namespace

std::string ensure_primary_key_sql(std::string_view table, std::string_view columns) {
    const auto wanted = name_array(columns);
    return with_placeholders(kEnsurePrimaryKey,
                             {{"{wanted}", wanted}, {"{columns}", columns}, {"{table}", table}});
}

}  // namespace ordersource::pg
