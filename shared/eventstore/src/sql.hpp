#pragma once
// Every statement the PostgreSQL event store runs. Tables are unqualified: each connection's
// search_path is the store's schema (set once, from a libpq-quoted identifier).

#include <array>

#include "pq.hpp"

namespace ordersource::eventstore::sql {

// ---- migrations --------------------------------------------------------------------------
// schema_migrations is keyed by component, so other libraries (projections) can keep their
// versions in the same table of a shared schema such as "public".

// Held until the migrating transaction ends, so two instances starting at once migrate one
// after the other; keyed by schema so stores in different schemas do not wait on each other.
inline constexpr const char* kMigrationLock = R"sql(
SELECT pg_advisory_xact_lock(hashtext('ordersource.eventstore'), hashtext($1))
)sql";

inline constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    component  text NOT NULL,
    version    integer NOT NULL,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
)
)sql";

inline constexpr const char* kAppliedVersion = R"sql(
SELECT coalesce(max(version), 0) FROM schema_migrations WHERE component = 'eventstore'
)sql";

inline constexpr const char* kRecordMigration = R"sql(
INSERT INTO schema_migrations (component, version, name) VALUES ('eventstore', $1::integer, $2)
)sql";

struct Migration {
    int version;
    const char* name;
    const char* script;
};

// Append-only: never edit a released migration, add the next one.
inline constexpr std::array kMigrations{
    Migration{1, "events", R"sql(
CREATE TABLE events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id       text NOT NULL CHECK (stream_id <> ''),
    stream_version  bigint NOT NULL CHECK (stream_version >= 1),
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    schema_version  integer NOT NULL CHECK (schema_version >= 1),
    payload         jsonb NOT NULL,
    metadata        jsonb NOT NULL DEFAULT '{}',
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);
-- read_all walks this index in commit order.
CREATE INDEX events_commit_order_idx ON events (transaction_id, global_position);

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();
)sql"},
    Migration{2, "relay_checkpoints", R"sql(
CREATE TABLE relay_checkpoints (
    name            text PRIMARY KEY,
    transaction_id  xid8 NOT NULL,
    global_position bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
)sql"},
    // An append by COPY writes versions expected+1.. without reading the head first (ADR 18):
    // a stream already past `expected` fails the COPY on events_stream_version_key, and this
    // function, run in the same transaction, fails it for a stream not yet at `expected` (the
    // only way a gap could appear). It returns each append's first and last position. Migration
    // 6 replaces its body.
    Migration{3, "events_appended", R"sql(
CREATE FUNCTION events_appended(streams text[], expected bigint[], counts bigint[])
RETURNS TABLE (request integer, first_position bigint, last_position bigint)
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(streams, 1), 0) LOOP
        IF expected[i] > 0 THEN
            PERFORM 1 FROM events AS e
            WHERE e.stream_id = streams[i] AND e.stream_version = expected[i];
            IF NOT FOUND THEN
                RAISE EXCEPTION 'stream % is not at version %', streams[i], expected[i]
                    USING ERRCODE = 'OS001';
            END IF;
        END IF;
        request := i;
        SELECT e.global_position INTO first_position FROM events AS e
        WHERE e.stream_id = streams[i] AND e.stream_version = expected[i] + 1;
        SELECT e.global_position INTO last_position FROM events AS e
        WHERE e.stream_id = streams[i] AND e.stream_version = expected[i] + counts[i];
        RETURN NEXT;
    END LOOP;
END
$$;
)sql"},
    Migration{4, "reader_snapshots", R"sql(
CREATE TABLE reader_snapshots (
    name            text PRIMARY KEY,
    transaction_id  xid8 NOT NULL,
    global_position bigint NOT NULL,
    format          integer NOT NULL,
    state           text NOT NULL,
    saved_at        timestamptz NOT NULL DEFAULT now()
);
)sql"},
    Migration{5, "stream_snapshots", R"sql(
CREATE TABLE stream_snapshots (
    stream_id      text PRIMARY KEY,
    stream_version bigint NOT NULL,
    format         integer NOT NULL,
    state          text NOT NULL,
    saved_at       timestamptz NOT NULL DEFAULT now()
);
)sql"},
    // events_appended again, with one index range scan per stream (versions expected ..
    // expected + count) instead of migration 3's two or three single-row lookups, all in one
    // query: in the services' COPYs, ~60 streams of one or two events each, migration 3's loop
    // took 1.2 ms per call and this 0.4 (docs/adr/0018-copy-at-the-decided-version.md).
    Migration{6, "events_appended_by_range", R"sql(
CREATE OR REPLACE FUNCTION events_appended(streams text[], expected bigint[], counts bigint[])
RETURNS TABLE (request integer, first_position bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    found record;
BEGIN
    FOR found IN
        SELECT b.r::integer AS r, b.s, b.e, range.first, range.last, range.at_expected
        FROM unnest(streams, expected, counts) WITH ORDINALITY AS b(s, e, c, r)
        CROSS JOIN LATERAL (
            SELECT min(v.global_position) FILTER (WHERE v.stream_version = b.e + 1) AS first,
                   max(v.global_position) FILTER (WHERE v.stream_version = b.e + b.c) AS last,
                   b.e <= 0 OR coalesce(bool_or(v.stream_version = b.e), false) AS at_expected
            FROM events AS v
            WHERE v.stream_id = b.s AND v.stream_version BETWEEN b.e AND b.e + b.c) AS range
        ORDER BY b.r
    LOOP
        IF NOT found.at_expected THEN
            RAISE EXCEPTION 'stream % is not at version %', found.s, found.e
                USING ERRCODE = 'OS001';
        END IF;
        request := found.r;
        first_position := found.first;
        last_position := found.last;
        RETURN NEXT;
    END LOOP;
END
$$;
)sql"},
    // Snapshots are large (an account's holds every order it paid for), written often and
    // read at start-up: compressing a 78 KB account took PostgreSQL 1.27 ms with its default
    // pglz and 0.17 ms with lz4, for the same size (docs/adr/0022-stream-snapshots.md,
    // amendment of 2026-12-04). A server built without lz4 keeps pglz rather than refuse to
    // start; values already stored keep the method they were written with.
    Migration{7, "snapshots_compressed_with_lz4", R"sql(
DO $$
BEGIN
    ALTER TABLE stream_snapshots ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE reader_snapshots ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this server has no lz4: snapshots stay compressed with pglz';
END
$$;
)sql"},
};

// ---- appends -------------------------------------------------------------------------------

// The whole batch in one statement and one round trip (autocommit: one transaction).
// $1 stream id, $2 the batch as a JSON array of {n, event_id, event_type, schema_version,
// payload, metadata} with n = 1.. in batch order, $3 expected version (-1 any, 0 no stream,
// n exact). Nothing is inserted when the stream is not at the expected version; the first
// column then still says where the stream is. A writer that raced us to the same version
// makes this fail with a unique violation on events_stream_version_key.
inline constexpr detail::Statement kAppend{"ordersource_append", R"sql(
WITH head AS (
    SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1
), inserted AS (
    INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,
                        payload, metadata)
    SELECT $1, head.version + batch.n, batch.event_id, batch.event_type, batch.schema_version,
           batch.payload, batch.metadata
    FROM head,
         jsonb_to_recordset($2::jsonb) AS batch(n bigint, event_id uuid, event_type text,
                                                schema_version integer, payload jsonb,
                                                metadata jsonb)
    WHERE $3::bigint < 0 OR head.version = $3::bigint
    ORDER BY batch.n
    RETURNING stream_version, global_position
)
SELECT head.version, inserted.stream_version, inserted.global_position
FROM head LEFT JOIN inserted ON true
ORDER BY inserted.stream_version
)sql"};

// Several appends to different streams in one statement, one transaction and one commit
// (group commit, ADR 13). $1 is a JSON array of rows {r, stream_id, expected, n, event_id,
// event_type, schema_version, payload, metadata}: r numbers the appends (1..), one stream
// per r, n numbers the events of each append (1..). Each append is checked against its own
// stream head exactly as kAppend does, so one stale expectation inserts nothing for that r
// and does not stop the others. Result rows are ordered by (r, stream_version); an append
// that inserted nothing has one row with a NULL stream_version. A unique violation fails the
// whole statement (nothing of the group is stored); the caller then runs each append alone.
inline constexpr detail::Statement kAppendGroup{"ordersource_append_group", R"sql(
WITH batch AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS b(r integer, stream_id text, expected bigint,
                                                     n bigint, event_id uuid, event_type text,
                                                     schema_version integer, payload jsonb,
                                                     metadata jsonb)
), heads AS MATERIALIZED (
    SELECT a.r, a.stream_id, a.expected,
           coalesce((SELECT max(e.stream_version) FROM events AS e
                     WHERE e.stream_id = a.stream_id), 0) AS version
    FROM (SELECT DISTINCT r, stream_id, expected FROM batch) AS a
), inserted AS (
    INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,
                        payload, metadata)
    SELECT b.stream_id, h.version + b.n, b.event_id, b.event_type, b.schema_version,
           b.payload, b.metadata
    FROM batch AS b JOIN heads AS h ON h.r = b.r
    WHERE b.expected < 0 OR h.version = b.expected
    ORDER BY b.r, b.n
    RETURNING stream_id, stream_version, global_position
)
SELECT h.r, h.version, i.stream_version, i.global_position
FROM heads AS h LEFT JOIN inserted AS i ON i.stream_id = h.stream_id
ORDER BY h.r, i.stream_version
)sql"};

// A large batch's rows in COPY's text format, in the transaction that read the stream head
// (ADR 13). A writer that raced us to a version fails it with a unique violation.
inline constexpr const char* kCopyEvents =
    "COPY events (stream_id, stream_version, event_id, event_type, schema_version, payload, "
    "metadata) FROM STDIN";

// events_appended (migration 3) prepared once per connection: the COPY script EXECUTEs it,
// so the statement is not parsed and planned again for every append.
inline constexpr detail::Statement kEventsAppended{"ordersource_events_appended", R"sql(
SELECT request, first_position, last_position
FROM events_appended($1::text[], $2::bigint[], $3::bigint[])
)sql"};

// Where the events of a batch already are (idempotent re-append). $1 = '{id,id,...}'.
inline constexpr const char* kFindEvents = R"sql(
SELECT event_id::text, stream_id, stream_version, global_position
FROM events WHERE event_id = ANY($1::uuid[])
)sql";

inline constexpr const char* kStreamVersion = R"sql(
SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1
)sql";

// ---- reads ---------------------------------------------------------------------------------
// Column order shared by both reads (see read_events in postgres_event_store.cpp).
// ORDER BY names are qualified on purpose: an unqualified `transaction_id` would bind to the
// `transaction_id::text` output column and sort xids as text (wrong order, and no index).

inline constexpr detail::Statement kReadStream{"ordersource_read_stream", R"sql(
SELECT event_id::text, event_type, schema_version, payload::text,
       coalesce(metadata->>'correlationId', ''), coalesce(metadata->>'causationId', ''),
       stream_id, stream_version, global_position, transaction_id::text,
       (extract(epoch FROM recorded_at) * 1000000)::bigint
FROM events AS e
WHERE e.stream_id = $1 AND e.stream_version >= $2::bigint
ORDER BY e.stream_version
LIMIT $3::bigint
)sql"};

// Several streams, each from its own version; $1 text[] of distinct stream ids, $2 bigint[]
// of their first versions wanted. A join on the unnested pairs probes the (stream_id,
// stream_version) key once per stream.
inline constexpr detail::Statement kReadStreamsFrom{"ordersource_read_streams_from", R"sql(
SELECT event_id::text, event_type, schema_version, payload::text,
       coalesce(metadata->>'correlationId', ''), coalesce(metadata->>'causationId', ''),
       e.stream_id, stream_version, global_position, transaction_id::text,
       (extract(epoch FROM recorded_at) * 1000000)::bigint
FROM unnest($1::text[], $2::bigint[]) AS wanted(stream_id, from_version)
JOIN events AS e ON e.stream_id = wanted.stream_id AND e.stream_version >= wanted.from_version
ORDER BY e.stream_id, e.stream_version
)sql"};

// Commit order: only transactions older than every transaction still running (the
// snapshot's xmin) are read, so none can commit behind the reader later; within that, by
// transaction id then position. A writer is never blocked: this is a plain MVCC read.
inline constexpr detail::Statement kReadAll{"ordersource_read_all", R"sql(
SELECT event_id::text, event_type, schema_version, payload::text,
       coalesce(metadata->>'correlationId', ''), coalesce(metadata->>'causationId', ''),
       stream_id, stream_version, global_position, transaction_id::text,
       (extract(epoch FROM recorded_at) * 1000000)::bigint
FROM events AS e
WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  AND (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
ORDER BY e.transaction_id, e.global_position
LIMIT $3::bigint
)sql"};

// Committed events after a checkpoint (a reader's lag); counts rows still invisible to
// read_all too, which is what an operator wants to see.
inline constexpr const char* kCountAfter = R"sql(
SELECT count(*) FROM events AS e
WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
)sql";

// ---- relay checkpoints ---------------------------------------------------------------------

inline constexpr detail::Statement kLoadCheckpoint{"ordersource_load_checkpoint", R"sql(
SELECT transaction_id::text, global_position FROM relay_checkpoints WHERE name = $1
)sql"};

inline constexpr detail::Statement kSaveCheckpoint{"ordersource_save_checkpoint", R"sql(
INSERT INTO relay_checkpoints (name, transaction_id, global_position)
VALUES ($1, $2::xid8, $3::bigint)
ON CONFLICT (name) DO UPDATE
SET transaction_id = excluded.transaction_id, global_position = excluded.global_position,
    updated_at = now()
)sql"};

// ---- reader snapshots ----------------------------------------------------------------------

inline constexpr detail::Statement kLoadSnapshot{"ordersource_load_snapshot", R"sql(
SELECT transaction_id::text, global_position, format, state FROM reader_snapshots WHERE name = $1
)sql"};

inline constexpr detail::Statement kSaveSnapshot{"ordersource_save_snapshot", R"sql(
INSERT INTO reader_snapshots (name, transaction_id, global_position, format, state)
VALUES ($1, $2::xid8, $3::bigint, $4::integer, $5)
ON CONFLICT (name) DO UPDATE
SET transaction_id = excluded.transaction_id, global_position = excluded.global_position,
    format = excluded.format, state = excluded.state, saved_at = now()
)sql"};

// ---- stream snapshots ----------------------------------------------------------------------

inline constexpr detail::Statement kLoadStreamSnapshots{"ordersource_load_stream_snapshots", R"sql(
SELECT stream_id, stream_version, format, state FROM stream_snapshots
WHERE stream_id = ANY($1::text[])
)sql"};

// $1 text[] stream ids, $2 bigint[] versions, $3 integer[] formats, $4 text[] states; a stream
// named twice keeps its highest version. The WHERE keeps a slower writer from moving a
// snapshot back.
inline constexpr detail::Statement kSaveStreamSnapshots{"ordersource_save_stream_snapshots", R"sql(
INSERT INTO stream_snapshots AS saved (stream_id, stream_version, format, state)
SELECT DISTINCT ON (s) s, v, f, t
FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::text[]) AS n(s, v, f, t)
ORDER BY s, v DESC
ON CONFLICT (stream_id) DO UPDATE
SET stream_version = excluded.stream_version, format = excluded.format, state = excluded.state,
    saved_at = now()
WHERE saved.stream_version < excluded.stream_version
)sql"};

}  // namespace ordersource::eventstore::sql
