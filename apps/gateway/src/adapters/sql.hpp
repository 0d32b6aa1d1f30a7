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

// A batch of claims, $1 = [{"k","o","f"}, ...] with each key once, in one statement
// (autocommit: one WAL flush) that answers every key with its stored record: a new key gets
// the proposed one; a stored key keeps its first record, which DO UPDATE (a no-op change)
// locks and returns - after waiting for the commit of a concurrent claim by another instance,
// whose record it then returns (ADR 10). Prepared once per connection as kClaimKeysName.
inline constexpr const char* kClaimKeys = R"sql(
INSERT INTO gateway_idempotency_keys AS stored (idempotency_key, order_id, fingerprint)
SELECT k, CAST(o AS uuid), f FROM jsonb_to_recordset(CAST($1 AS jsonb)) AS b(k text, o text, f text)
ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = stored.idempotency_key
RETURNING idempotency_key, CAST(order_id AS text), fingerprint)sql";
inline constexpr const char* kClaimKeysName = "gateway_claim_keys";

}  // namespace ordersource::gateway::sql
