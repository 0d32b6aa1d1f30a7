#include "ordersource/contracts/pooled_json.hpp"

#include <optional>

namespace ordersource::contracts {
namespace {

using Pool = rapidjson::MemoryPoolAllocator<>;
using PooledDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool>;

}  // namespace

// Sized for an envelope of a few items (~3 KiB of values); a larger document spills into
// chunks of the pool's own, freed at the next parse.
struct PooledJson::Arena {
    char values[8192];
    char stack[4096];
    Pool value_pool{values, sizeof(values)};
    Pool stack_pool{stack, sizeof(stack)};
    std::optional<PooledDocument> document;
    bool lent = false;
};

namespace {

PooledJson::Arena& thread_arena() {
    thread_local PooledJson::Arena arena;
    return arena;
}

}  // namespace

PooledJson::PooledJson(std::string_view json) : arena_(&thread_arena()) {
    if (arena_->lent) {
        own_arena_ = std::make_unique<Arena>();
        arena_ = own_arena_.get();
    }
    arena_->lent = true;
    arena_->value_pool.Clear();
    arena_->stack_pool.Clear();
    // A quarter of the stack buffer: the parse stack grows by reallocating inside its pool.
    arena_->document.emplace(&arena_->value_pool, sizeof(arena_->stack) / 4, &arena_->stack_pool);
    arena_->document->Parse(json.data(), json.size());
}

PooledJson::~PooledJson() {
    arena_->document.reset();
    arena_->lent = false;
}

bool PooledJson::parsed() const {
    return !arena_->document->HasParseError();
}

rapidjson::ParseErrorCode PooledJson::error() const {
    return arena_->document->GetParseError();
}

std::size_t PooledJson::error_offset() const {
    return arena_->document->GetErrorOffset();
}

const rapidjson::Value& PooledJson::value() const {
    return *arena_->document;
}

}  // namespace ordersource::contracts
