#pragma once
// Names for the threads a service starts, as `top -H`, `perf report --sort comm` and
// /proc/<pid>/task/*/comm show them: without one, every thread carries the binary's name and
// a per-thread CPU split cannot tell the consumer from the HTTP workers.

#include <string>
#include <string_view>

namespace ordersource::core {

// Linux keeps the first 15 bytes of a name; a longer one is cut there. Naming is a diagnostic
// aid, so a failure to set it is ignored rather than reported.
void name_this_thread(std::string_view name);

// The calling thread's name as the kernel holds it.
std::string this_thread_name();

}  // namespace ordersource::core
