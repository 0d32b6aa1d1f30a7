#include "adapters/summary_cache.hpp"

#include <algorithm>

namespace ordersource::gateway {

SummaryCache::SummaryCache(std::size_t capacity)
    : capacity_(capacity), tokens_(std::random_device{}()) {
    rows_.reserve(std::min<std::size_t>(capacity, 1 << 16));
}

std::optional<SummaryCache::Entry> SummaryCache::take(const std::string& order_id) {
    const auto found = rows_.find(order_id);
    if (found == rows_.end() || !found->second.present) return std::nullopt;
    found->second.present = false;
    --present_;
    return std::move(found->second.entry);
}

std::int64_t SummaryCache::next_token() {
    return static_cast<std::int64_t>(tokens_());
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

}  // namespace ordersource::gateway
