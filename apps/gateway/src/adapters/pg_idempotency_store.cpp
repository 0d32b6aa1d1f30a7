#include "adapters/pg_idempotency_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>

#include "adapters/sql.hpp"
#include "ordersource/core/log.hpp"
#include "ordersource/core/thread_name.hpp"
#include "ordersource/metrics/registry.hpp"
#include "ordersource/pg/libpq.hpp"

namespace ordersource::gateway {
namespace {

// [{"k": key, "o": order id, "f": fingerprint}, ...] - one parameter for the whole batch.
std::string batch_json(const std::vector<std::string>& keys,
                       const std::vector<const IdempotencyRecord*>& records) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (std::size_t i = 0; i < keys.size(); ++i) {
        writer.StartObject();
        writer.Key("k");
        writer.String(keys[i]);
        writer.Key("o");
        writer.String(records[i]->order_id);
        writer.Key("f");
        writer.String(records[i]->fingerprint);
        writer.EndObject();
    }
    writer.EndArray();
    return std::string(buffer.GetString(), buffer.GetSize());
}

// Runs the claim statement on the session, preparing it first unless `prepared`; throws
// std::runtime_error when it fails.
pg::Result claim_keys(soci::session& session, bool& prepared, const std::string& claims) {
    // Prepared once per connection: parsing and planning the statement for every batch was
    // about a third of its backend's CPU in perf profiles, with batches of a few claims each.
    PGconn* conn = pg::libpq_connection(session);
    if (!prepared) {
        const pg::Result made{PQprepare(conn, sql::kClaimKeysName, sql::kClaimKeys, 1, nullptr)};
        if (PQresultStatus(made.get()) != PGRES_COMMAND_OK) {
            throw std::runtime_error(std::string("cannot prepare the claim: ") +
                                     PQresultErrorMessage(made.get()));
        }
        prepared = true;
    }
    const char* values[] = {claims.c_str()};
    pg::Result rows{PQexecPrepared(conn, sql::kClaimKeysName, 1, values, nullptr, nullptr, 0)};
    if (PQresultStatus(rows.get()) != PGRES_TUPLES_OK) {
        throw std::runtime_error(std::string("claim failed: ") + PQresultErrorMessage(rows.get()));
    }
    return rows;
}

}  // namespace

PgIdempotencyStore::PgIdempotencyStore(const pg::ConnectionSettings& settings,
                                       ClaimBatching batching,
                                       ClaimTimings timings)
    : settings_(settings),
      batching_(batching),
      timings_(timings),
      session_(pg::open_session(settings)) {
    *session_ << "SET client_min_messages = warning";
    *session_ << sql::kCreateIdempotencyTable;
    writer_ = std::jthread([this](std::stop_token stop) {
        core::name_this_thread("claims-writer");
        write_batches(stop);
    });
}

PgIdempotencyStore::~PgIdempotencyStore() {
    writer_.request_stop();
    queued_.notify_all();
    writer_.join();
}

void PgIdempotencyStore::claim(std::string key,
                               IdempotencyRecord proposed,
                               std::function<void(Claimed)> done) {
    bool wake = false;
    {
        const std::lock_guard lock(mutex_);
        queue_.push_back({std::move(key), std::move(proposed), std::move(done),
                          std::chrono::steady_clock::now()});
        // The writer waits for a first claim, then (lingering) for enough of them.
        wake = queue_.size() == 1 || queue_.size() >= lingering_ends_at();
    }
    if (wake) queued_.notify_one();
}

std::size_t PgIdempotencyStore::lingering_ends_at() const {
    return std::min(batching_.linger_until, batching_.max_batch);
}

void PgIdempotencyStore::write_batches(std::stop_token stop) {
    while (true) {
        std::vector<Pending> batch;
        {
            std::unique_lock lock(mutex_);
            queued_.wait(lock, stop, [this] { return !queue_.empty(); });
            if (queue_.empty()) return;  // stopped, nothing left to answer
            if (batching_.linger.count() > 0) {
                // Stopping ends the wait early: what is queued is still written and answered.
                queued_.wait_until(lock, stop, queue_.front().queued_at + batching_.linger,
                                   [this] { return queue_.size() >= lingering_ends_at(); });
            }
            while (!queue_.empty() && batch.size() < batching_.max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        write(batch);
    }
}

void PgIdempotencyStore::write(std::vector<Pending>& batch) {
    std::map<std::string, IdempotencyRecord> stored;
    std::string error;
    const auto started = std::chrono::steady_clock::now();
    try {
        if (!session_) session_ = pg::open_session(settings_);
        // Each key once per statement (DO UPDATE may touch a row once): the first claim of a
        // key in the batch proposes, later ones get whatever that stored.
        std::vector<std::string> keys;
        std::vector<const IdempotencyRecord*> records;
        std::set<std::string_view> seen;
        for (const auto& pending : batch) {
            if (!seen.insert(pending.key).second) continue;
            keys.push_back(pending.key);
            records.push_back(&pending.proposed);
        }
        const auto json = batch_json(keys, records);
        const pg::Result rows = claim_keys(*session_, claim_prepared_, json);
        for (int row = 0; row < PQntuples(rows.get()); ++row) {
            stored[PQgetvalue(rows.get(), row, 0)] = {PQgetvalue(rows.get(), row, 1),
                                                      PQgetvalue(rows.get(), row, 2)};
        }
    } catch (const std::exception& failure) {
        error = failure.what();
        session_.reset();  // reconnect for the next batch
        claim_prepared_ = false;
        core::log(core::LogLevel::kError, "idempotency keys not recorded",
                  {{"count", std::to_string(batch.size())}, {"error", error}});
    }
    const auto answered = std::chrono::steady_clock::now();
    const auto seconds = [](auto duration) {
        return std::chrono::duration<double>(duration).count();
    };
    if (timings_.write_seconds) timings_.write_seconds->observe(seconds(answered - started));
    for (auto& pending : batch) {
        if (timings_.claim_seconds) {
            timings_.claim_seconds->observe(seconds(answered - pending.queued_at));
        }
        try {
            const auto found = stored.find(pending.key);
            if (found != stored.end()) {
                pending.done(found->second);
            } else {
                pending.done(error.empty() ? std::string("key not stored") : error);
            }
        } catch (const std::exception& failure) {
            core::log(core::LogLevel::kError, "idempotency callback failed",
                      {{"error", failure.what()}});
        }
    }
}

}  // namespace ordersource::gateway
