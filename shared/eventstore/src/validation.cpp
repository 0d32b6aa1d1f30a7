#include "validation.hpp"

#include <rapidjson/encodings.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stream.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_set>

#include "ordersource/core/ids.hpp"

namespace ordersource::eventstore::detail {
namespace {

constexpr std::size_t kMaxStreamIdLength = 512;
constexpr std::size_t kMaxTypeLength = 256;
constexpr std::size_t kMaxMetadataLength = 512;

// Accepts whatever RapidJSON's UTF-8 validator emits; only the verdict matters.
struct DiscardOutput {
    using Ch = char;
    void Put(Ch /*c*/) {}
};

bool is_valid_utf8(const std::string& text) {
    rapidjson::StringStream in(text.c_str());
    DiscardOutput out;
    const char* const end = text.c_str() + text.size();
    while (in.src_ != end) {
        if (!rapidjson::UTF8<>::Validate(in, out)) {
            return false;
        }
    }
    return true;
}

bool has_control_character(const std::string& text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; });
}

// SAX handler: notes whether the root is an object and whether any string holds a NUL,
// which jsonb cannot store. SAX with the iterative parser keeps deep nesting off the stack.
struct PayloadCheck : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PayloadCheck> {
    bool seen_root = false;
    bool root_is_object = false;
    bool has_nul = false;

    bool Default() {
        seen_root = true;
        return true;
    }
    bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        if (std::memchr(text, '\0', length) != nullptr) {
            has_nul = true;
        }
        return Default();
    }
    bool Key(const char* text, rapidjson::SizeType length, bool copy) {
        return String(text, length, copy);
    }
    bool StartObject() {
        if (!seen_root) {
            root_is_object = true;
        }
        return Default();
    }
};

std::variant<std::monostate, InvalidInput> check_payload(const std::string& payload) {
    PayloadCheck check;
    rapidjson::Reader reader;
    rapidjson::StringStream in(payload.c_str());
    constexpr unsigned kFlags =
        rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    if (payload.find('\0') != std::string::npos) {
        return InvalidInput{"payload is not valid JSON: it contains a NUL byte"};
    }
    const rapidjson::ParseResult result = reader.Parse<kFlags>(in, check);
    if (result.IsError()) {
        return InvalidInput{std::string("payload is not valid JSON: ") +
                            rapidjson::GetParseError_En(result.Code()) + " at offset " +
                            std::to_string(result.Offset())};
    }
    if (!check.root_is_object) {
        return InvalidInput{"payload must be a JSON object"};
    }
    if (check.has_nul) {
        return InvalidInput{"payload strings must not contain \\u0000"};
    }
    return std::monostate{};
}

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return text;
}

InvalidInput for_event(std::size_t index, const NewEvent& event, const std::string& reason) {
    return InvalidInput{"event " + std::to_string(index) + " (id '" + event.event_id.value() +
                        "'): " + reason};
}

}  // namespace

std::variant<std::monostate, InvalidInput> validate_stream_id(const StreamId& stream) {
    const std::string& id = stream.value();
    if (id.empty()) {
        return InvalidInput{"stream id is empty"};
    }
    if (id.size() > kMaxStreamIdLength) {
        return InvalidInput{"stream id is longer than " + std::to_string(kMaxStreamIdLength) +
                            " bytes"};
    }
    if (has_control_character(id) || !is_valid_utf8(id)) {
        return InvalidInput{"stream id must be UTF-8 text without control characters"};
    }
    return std::monostate{};
}

std::variant<std::vector<std::string>, InvalidInput> validate_batch(
    const StreamId& stream, const std::vector<NewEvent>& events) {
    if (auto stream_check = validate_stream_id(stream);
        std::holds_alternative<InvalidInput>(stream_check)) {
        return std::get<InvalidInput>(std::move(stream_check));
    }
    if (events.empty()) {
        return InvalidInput{"no events to append"};
    }
    std::vector<std::string> ids;
    ids.reserve(events.size());
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const NewEvent& event = events[i];
        if (!core::is_uuid(event.event_id.value())) {
            return for_event(i, event, "event id is not a UUID");
        }
        std::string id = lowercase(event.event_id.value());
        if (!seen.insert(id).second) {
            return for_event(i, event, "event id appears twice in the batch");
        }
        if (event.type.empty() || event.type.size() > kMaxTypeLength ||
            has_control_character(event.type) || !is_valid_utf8(event.type)) {
            return for_event(i, event,
                             "event type must be 1.." + std::to_string(kMaxTypeLength) +
                                 " bytes of UTF-8 text without control characters");
        }
        if (event.schema_version < 1) {
            return for_event(i, event, "schema version must be at least 1");
        }
        for (const std::string* text :
             {&event.metadata.correlation_id, &event.metadata.causation_id}) {
            if (text->size() > kMaxMetadataLength || has_control_character(*text) ||
                !is_valid_utf8(*text)) {
                return for_event(i, event,
                                 "correlation and causation ids must be at most " +
                                     std::to_string(kMaxMetadataLength) +
                                     " bytes of UTF-8 text without control characters");
            }
        }
        if (auto payload_check = check_payload(event.payload_json);
            std::holds_alternative<InvalidInput>(payload_check)) {
            return for_event(i, event, std::get<InvalidInput>(payload_check).reason);
        }
        ids.push_back(std::move(id));
    }
    return ids;
}

}  // namespace ordersource::eventstore::detail
