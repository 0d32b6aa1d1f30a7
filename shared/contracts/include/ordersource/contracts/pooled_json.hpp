#pragma once
// JSON parsed into memory that the thread reuses for its next parse. A rapidjson::Document of
// its own allocates a 64 KiB pool and a parse stack and frees them again, per record in every
// consumer; freeing a chunk that large also makes glibc consolidate its heap (ADR 21).

#include <rapidjson/document.h>

#include <cstddef>
#include <memory>
#include <string_view>

namespace ordersource::contracts {

class PooledJson {
  public:
    // Parses `json`; check parsed() before reading value(). A PooledJson made while another of
    // the same thread is alive gets memory of its own, so nesting is safe, only slower.
    explicit PooledJson(std::string_view json);
    ~PooledJson();
    PooledJson(const PooledJson&) = delete;
    PooledJson& operator=(const PooledJson&) = delete;

    bool parsed() const;
    rapidjson::ParseErrorCode error() const;
    std::size_t error_offset() const;
    // The parsed value (Null when not parsed); valid while this object lives.
    const rapidjson::Value& value() const;

    struct Arena;

  private:
    std::unique_ptr<Arena> own_arena_;
    Arena* arena_;
};

}  // namespace ordersource::contracts
