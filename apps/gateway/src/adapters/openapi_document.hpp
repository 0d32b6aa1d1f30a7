#pragma once
// The gateway's OpenAPI 3 document (proto/openapi.json), compiled in at build time.

#include <string_view>

namespace ordersource::gateway {

std::string_view openapi_document();

}  // namespace ordersource::gateway
