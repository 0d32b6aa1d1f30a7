#pragma once
// Idempotency keys in the gateway's PostgreSQL database, shared by every gateway instance.
//
// Claims are batched: HTTP workers only enqueue, and one thread writes every claim waiting at
// that moment in a single statement and transaction - one commit (one WAL flush) for many
// orders instead of one each. Measured with wrk: this was the gateway's top bottleneck
// (docs/adr/0010-batched-idempotency-claims.md).

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

class PgIdempotencyStore final : public IdempotencyStore {
  public:
    // Connects, creates the table if missing and starts the writer thread.
    // `max_batch`: most claims written in one statement.
    explicit PgIdempotencyStore(const pg::ConnectionSettings& settings,
                                std::size_t max_batch = 500,
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
    void write_batches(std::stop_token stop);
    void write(std::vector<Pending>& batch);

    pg::ConnectionSettings settings_;
    std::size_t max_batch_;
    ClaimTimings timings_;
    std::unique_ptr<soci::session> session_;
    bool claim_prepared_ = false;  // on session_'s connection
    std::mutex mutex_;
    std::condition_variable_any queued_;
    std::deque<Pending> queue_;
    std::jthread writer_;
};

}  // namespace ordersource::gateway
