#pragma once

#include <string_view>
#include <vector>

namespace ordersource::contracts::detail {

struct EmbeddedSchema {
    std::string_view name;  // event type, or "envelope"
    int version;
    std::string_view text;
};

const std::vector<EmbeddedSchema>& embedded_schemas();

}  // namespace ordersource::contracts::detail
