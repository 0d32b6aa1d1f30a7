#pragma once
// The gateway's SQL, in one place.

namespace ordersource::gateway::sql {

// Idempotency keys live as long as the gateway database; see README "left alone".
inline constexpr const char* kCreateIdempotencyTable = R"sql(
CREATE TABLE IF NOT EXISTS gateway_idempotency_keys (
    idempotency_key text PRIMARY KEY,
    order_id        uuid NOT NULL,
    fingerprint     text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
))sql";

// A batch of claims, :batch = [{"k","o","f"}, ...], in one statement (autocommit: one WAL
// flush). A key already stored, or claimed twice in the batch, keeps its first record; a
// concurrent claim of the same key by another instance waits for that commit.
inline constexpr const char* kClaimKeys = R"sql(
INSERT INTO gateway_idempotency_keys (idempotency_key, order_id, fingerprint)
SELECT k, CAST(o AS uuid), f FROM jsonb_to_recordset(CAST(:batch AS jsonb)) AS b(k text, o text, f text)
ON CONFLICT (idempotency_key) DO NOTHING)sql";

// Every key of the batch as stored now (a fresh statement sees the claims that won).
inline constexpr const char* kReadKeys = R"sql(
SELECT idempotency_key, CAST(order_id AS text), fingerprint FROM gateway_idempotency_keys
WHERE idempotency_key IN (SELECT k FROM jsonb_to_recordset(CAST(:batch AS jsonb)) AS b(k text)))sql";

}  // namespace ordersource::gateway::sql
