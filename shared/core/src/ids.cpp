#include "ordersource/core/ids.hpp"

#include <sys/random.h>
#include <uuid/uuid.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace ordersource::core {
namespace {

std::string to_text(const uuid_t id) {
    std::array<char, UUID_STR_LEN> text{};
    uuid_unparse_lower(id, text.data());
    return std::string(text.data());
}

// Random bytes from the kernel's CSPRNG, fetched a page at a time per thread: one getrandom
// call per 256 ids. libuuid's uuid_generate_random reseeds its fallback PRNG and calls
// getrandom for every id, which cost the event store's append path ~1.5 us per event.
// Order ids are visible to customers, so they must stay unguessable: no user-space PRNG.
class RandomBytes {
  public:
    void fill(unsigned char* out, std::size_t count) {
        if (used_ + count > buffer_.size()) refill();
        std::memcpy(out, buffer_.data() + used_, count);
        used_ += count;
    }

  private:
    void refill() {
        std::size_t filled = 0;
        while (filled < buffer_.size()) {
            const auto got = getrandom(buffer_.data() + filled, buffer_.size() - filled, 0);
            if (got < 0) {
                if (errno == EINTR) continue;
                throw std::system_error(errno, std::generic_category(), "getrandom");
            }
            filled += static_cast<std::size_t>(got);
        }
        used_ = 0;
    }

    std::array<unsigned char, 4096> buffer_{};
    std::size_t used_ = 4096;
};

}  // namespace

std::string new_uuid() {
    thread_local RandomBytes random;
    uuid_t id;
    random.fill(id, sizeof(id));
    id[6] = static_cast<unsigned char>((id[6] & 0x0fU) | 0x40U);  // version 4
    id[8] = static_cast<unsigned char>((id[8] & 0x3fU) | 0x80U);  // RFC 4122 variant
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
        if (dash_position
                ? c != '-'
                : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace ordersource::core
