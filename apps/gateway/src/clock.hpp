#pragma once

#include <chrono>

#include "app/ports.hpp"

namespace ordersource::gateway {

class SystemClock final : public Clock {
  public:
    std::int64_t now_epoch_millis() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace ordersource::gateway
