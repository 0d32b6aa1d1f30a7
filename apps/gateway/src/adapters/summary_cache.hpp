#pragma once
// The summary rows one live projector wrote last, each with the random token it stored beside
// the row (`writer_token`), so the next batch that touches the order needs not read the row
// back: its write goes through only where the stored token is still the cached one, and a row
// another writer changed meanwhile (a second gateway during a rebalance, a rebuild's swap) is
// read and folded again. docs/adr/0028-order-summaries-cached-by-writer-token.md

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/order_summary_fold.hpp"

namespace ordersource::gateway {

class SummaryCache {
  public:
    struct Entry {
        SummaryRow row;
        std::int64_t token = 0;
    };

    // At most `capacity` rows, the first cached leaving first (orders are touched within
    // seconds of their creation; an evicted one is only read back).
    explicit SummaryCache(std::size_t capacity);

    // The row this process last committed for the order, if still cached, moved out: the
    // batch that takes it stages it again once written (a batch that fails loses it, and the
    // next one reads the row back).
    std::optional<Entry> take(const std::string& order_id);

    // A row the current batch wrote; cached only once its transaction commits, so a batch
    // that rolls back leaves the cache as it was.
    void stage(SummaryRow row, std::int64_t token);
    void commit_staged();
    void discard_staged();

    // Rows cached (not taken).
    std::size_t size() const { return present_; }

  private:
    struct Slot {
        Entry entry;
        bool present = false;  // false once taken, until staged again
    };

    std::size_t capacity_;
    std::size_t present_ = 0;
    // A taken row keeps its slot, so every order has one place in the eviction order.
    std::unordered_map<std::string, Slot> rows_;
    std::deque<std::string> first_cached_;
    std::vector<Entry> staged_;
};

// A fresh token for a summary row about to be written, cached or not (a row whose update
// keeps its token has it cleared by a trigger, so every live write changes it); never equal
// to one written before by any writer but by chance (2^-64).
std::int64_t new_writer_token();

}  // namespace ordersource::gateway
