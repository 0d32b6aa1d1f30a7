#pragma once
// Compiled schemas, built once per thread at first use. NOT shareable between threads:
// RapidJSON's pattern regexes mutate internal state while matching (see instance()).

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

namespace ordersource::contracts::detail {

class SchemaRegistry {
  public:
    static const SchemaRegistry& instance();
    // nullptr when no schema of that name and version exists.
    const rapidjson::SchemaDocument* find(std::string_view name, int version) const;

  private:
    SchemaRegistry();
    std::map<std::pair<std::string, int>, std::unique_ptr<rapidjson::SchemaDocument>, std::less<>>
        schemas_;
};

// Validates `document` against `schema`; an empty string when valid, else the reason naming
// the offending location and keyword.
std::string validation_error(const rapidjson::SchemaDocument& schema,
                             const rapidjson::Value& document,
                             std::string_view what);

}  // namespace ordersource::contracts::detail
