#pragma once
// Idempotency keys in the gateway's PostgreSQL database, shared by every gateway instance.
//
// Claims are batched: HTTP workers only enqueue, and one thread writes every claim waiting at
// that moment in a single statement and transaction - one commit (one WAL flush) for many
// orders instead of one each. Measured with wrk: this was the gateway's top bottleneck
// (docs/adr/0010-batched-idempotency-claims.md). Below saturation a batch held one or two
// claims, so the writer may also wait a moment for more to share the commit (ADR 24).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "app/ports.hpp"
#include "ordersource/pg/connection.hpp"

namespace soci {
class session;
}

namespace ordersource::metrics {
class Histogram;
}

namespace ordersource::gateway {

// What a PgIdempotencyStore measures, when given: each claim from its queueing to its
// answer, and each batch's statement and commit.
struct ClaimTimings {
    metrics::Histogram* claim_seconds = nullptr;
    metrics::Histogram* write_seconds = nullptr;
};

// How claims share a statement and its commit.
struct ClaimBatching {
    // Most claims written in one statement.
    std::size_t max_batch = 500;
    // How long the oldest queued claim may wait for others before its batch is written, and
    // how many claims end that wait: at low rates claims share commits, under load a batch
    // is that large at once and nothing waits (ADR 24).
    std::chrono::microseconds linger{0};
    std::size_t linger_until = 8;
};

class PgIdempotencyStore final : public IdempotencyStore {
  public:
    // Connects, creates the table if missing and starts the writer thread.
    explicit PgIdempotencyStore(const pg::ConnectionSettings& settings,
                                ClaimBatching batching = {},
                                ClaimTimings timings = {});
    // Answers what is queued, then stops the writer.
    ~PgIdempotencyStore() override;
    PgIdempotencyStore(const PgIdempotencyStore&) = delete;
    PgIdempotencyStore& operator=(const PgIdempotencyStore&) = delete;

    void claim(std::string key,
               IdempotencyRecord proposed,
               std::function<void(Claimed)> done) override;

  private:
    struct Pending {
        std::string key;
        IdempotencyRecord proposed;
        std::function<void(Claimed)> done;
        std::chrono::steady_clock::time_point queued_at;
    };
    // Queued claims that end a linger.
    std::size_t lingering_ends_at() const;
    void write_batches(std::stop_token stop);
    void write(std::vector<Pending>& batch);

    pg::ConnectionSettings settings_;
    ClaimBatching batching_;
    ClaimTimings timings_;
    std::unique_ptr<soci::session> session_;
    bool claim_prepared_ = false;  // on session_'s connection
    std::mutex mutex_;
    std::condition_variable_any queued_;
    std::deque<Pending> queue_;
    std::jthread writer_;
};

}  // namespace ordersource::gateway
