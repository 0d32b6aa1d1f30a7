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

// Concurrent claims of one key: the loser waits for the winner's commit, inserts nothing and
// then reads the winner's row in a fresh statement (a new snapshot under READ COMMITTED).
inline constexpr const char* kClaimKey = R"sql(
INSERT INTO gateway_idempotency_keys (idempotency_key, order_id, fingerprint)
VALUES (:key, CAST(:order_id AS uuid), :fingerprint)
ON CONFLICT (idempotency_key) DO NOTHING)sql";

inline constexpr const char* kReadKey = R"sql(
SELECT CAST(order_id AS text), fingerprint FROM gateway_idempotency_keys
WHERE idempotency_key = :key)sql";

}  // namespace ordersource::gateway::sql
