#include "ordersource/core/thread_name.hpp"

#include <pthread.h>

#include <array>

namespace ordersource::core {
namespace {
constexpr std::size_t kMaxNameBytes = 15;  // TASK_COMM_LEN less the terminating NUL
}  // namespace

void name_this_thread(std::string_view name) {
    const std::string kept(name.substr(0, kMaxNameBytes));
    pthread_setname_np(pthread_self(), kept.c_str());
}

std::string this_thread_name() {
    std::array<char, kMaxNameBytes + 1> name{};
    if (pthread_getname_np(pthread_self(), name.data(), name.size()) != 0) return {};
    return name.data();
}

}  // namespace ordersource::core
