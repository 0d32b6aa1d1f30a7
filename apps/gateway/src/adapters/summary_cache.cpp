#include "adapters/summary_cache.hpp"

#include <algorithm>
#include <random>

namespace ordersource::gateway {

SummaryCache::SummaryCache(std::size_t capacity) : capacity_(capacity) {
    rows_.reserve(std::min<std::size_t>(capacity, 1 << 16));
}

std::optional<SummaryCache::Entry> SummaryCache::take(const std::string& order_id) {
    const auto found = rows_.find(order_id);
    if (found == rows_.end() || !found->second.present) return std::nullopt;
    found->second.present = false;
    --present_;
    return std::move(found->second.entry);
}

void SummaryCache::stage(SummaryRow row, std::int64_t token) {
    staged_.push_back({std::move(row), token});
}

void SummaryCache::commit_staged() {
    for (auto& entry : staged_) {
        if (capacity_ == 0) break;
        auto [slot, added] = rows_.try_emplace(entry.row.order_id);
        if (added) first_cached_.push_back(entry.row.order_id);
        if (!slot->second.present) ++present_;
        slot->second = {std::move(entry), true};
        if (rows_.size() > capacity_) {
            const auto oldest = rows_.find(first_cached_.front());
            if (oldest->second.present) --present_;
            rows_.erase(oldest);
            first_cached_.pop_front();
        }
    }
    staged_.clear();
}

void SummaryCache::discard_staged() {
    staged_.clear();
}

std::int64_t new_writer_token() {
    thread_local std::mt19937_64 tokens{std::random_device{}()};
    return static_cast<std::int64_t>(tokens());
}

}  // namespace ordersource::gateway
