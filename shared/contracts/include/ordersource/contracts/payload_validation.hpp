#pragma once
// Validation of a payload its reader has parsed already, so a reader that checks a payload
// and then reads its fields parses it once (the replay tool reads millions).

#include <rapidjson/document.h>

#include <optional>
#include <string_view>

#include "ordersource/contracts/envelope.hpp"

namespace ordersource::contracts {

// Checks a parsed payload against <type>.v<version>; nullopt when valid.
std::optional<ContractViolation> validate_payload(std::string_view type,
                                                  int version,
                                                  const rapidjson::Value& payload);

}  // namespace ordersource::contracts
