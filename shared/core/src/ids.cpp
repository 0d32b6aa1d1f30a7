#include "ordersource/core/ids.hpp"

#include <uuid/uuid.h>

#include <array>

namespace ordersource::core {
namespace {

std::string to_text(const uuid_t id) {
    std::array<char, UUID_STR_LEN> text{};
    uuid_unparse_lower(id, text.data());
    return std::string(text.data());
}

}  // namespace

std::string new_uuid() {
    uuid_t id;
    uuid_generate_random(id);
    return to_text(id);
}

std::string derived_uuid(std::string_view name) {
    // Fixed namespace of ordersource (itself a random v4 UUID, chosen once).
    static const uuid_t kNamespace = {0x6f, 0x72, 0x64, 0x65, 0x72, 0x73, 0x4f, 0x75,
                                      0x92, 0x63, 0x65, 0x2d, 0x6e, 0x73, 0x2d, 0x31};
    uuid_t id;
    uuid_generate_sha1(id, kNamespace, name.data(), name.size());
    return to_text(id);
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_position ? c != '-'
                          : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                              (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace ordersource::core
