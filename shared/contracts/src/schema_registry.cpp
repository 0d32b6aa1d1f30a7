#include "schema_registry.hpp"

#include <rapidjson/stringbuffer.h>

#include <stdexcept>

#include "embedded_schemas.hpp"

namespace ordersource::contracts::detail {

const SchemaRegistry& SchemaRegistry::instance() {
    // One per thread: RapidJSON 1.1.0's schema `pattern` regexes keep their matching state
    // inside the compiled regex (GenericRegex::Search is not const-safe), so two threads
    // validating against one SchemaDocument crash - measured under wrk on the gateway.
    // Compiling the ten schemas costs well under a millisecond per thread.
    static thread_local const SchemaRegistry kRegistry;
    return kRegistry;
}

SchemaRegistry::SchemaRegistry() {
    for (const auto& embedded : embedded_schemas()) {
        rapidjson::Document document;
        document.Parse(embedded.text.data(), embedded.text.size());
        if (document.HasParseError()) {
            // A broken schema in proto/ is a build defect, not a runtime condition.
            throw std::logic_error("schema " + std::string(embedded.name) + " is not valid JSON");
        }
        schemas_.emplace(std::make_pair(std::string(embedded.name), embedded.version),
                         std::make_unique<rapidjson::SchemaDocument>(document));
    }
}

const rapidjson::SchemaDocument* SchemaRegistry::find(std::string_view name, int version) const {
    const auto it = schemas_.find(std::make_pair(std::string(name), version));
    return it == schemas_.end() ? nullptr : it->second.get();
}

std::string validation_error(const rapidjson::SchemaDocument& schema,
                             const rapidjson::Value& document,
                             std::string_view what) {
    // The validator's stacks and per-keyword state come from a buffer the thread reuses; the
    // default allocator made several mallocs per validated value (ADR 21).
    using StatePool = rapidjson::MemoryPoolAllocator<>;
    struct StateArena {
        char buffer[16384];
        StatePool pool{buffer, sizeof(buffer)};
    };
    thread_local StateArena arena;
    arena.pool.Clear();
    rapidjson::GenericSchemaValidator<
        rapidjson::SchemaDocument, rapidjson::BaseReaderHandler<rapidjson::UTF8<>, void>, StatePool>
        validator(schema, &arena.pool);
    if (document.Accept(validator)) {
        return {};
    }
    rapidjson::StringBuffer pointer;
    validator.GetInvalidDocumentPointer().StringifyUriFragment(pointer);
    std::string location = pointer.GetString();
    if (location.size() > 1 && location.front() == '#') {
        location.erase(0, 1);
    }
    return std::string(what) + " " + (location.empty() ? "/" : location) + " violates '" +
           validator.GetInvalidSchemaKeyword() + "'";
}

}  // namespace ordersource::contracts::detail
