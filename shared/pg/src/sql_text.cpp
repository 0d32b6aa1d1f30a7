#include "ordersource/pg/sql_text.hpp"

namespace ordersource::pg {

std::string with_placeholders(
    std::string_view sql,
    std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
    std::string result(sql);
    for (const auto& [name, value] : values) {
        for (auto at = result.find(name); at != std::string::npos; at = result.find(name, at)) {
            result.replace(at, name.size(), value);
            at += value.size();
        }
    }
    return result;
}

}  // namespace ordersource::pg
