// Parses and validates envelopes the way every consumer does (contracts::parse_envelope),
// over records taken from the topics, for scripts/bench. One envelope per input line.
// Prints one JSON object:
//   {"envelopes":N,"distinct":D,"seconds":S,"per_second":R,"violations":V}
//   envelope_bench --file F [--seconds S]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "ordersource/contracts/envelope.hpp"

using namespace ordersource;

int main(int argc, char** argv) {
    std::string file;
    double seconds = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--file") == 0) file = argv[i + 1];
        if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
    }
    std::ifstream input(file);
    std::vector<std::string> records;
    for (std::string line; std::getline(input, line);) {
        if (!line.empty()) records.push_back(std::move(line));
    }
    if (records.empty()) {
        std::fprintf(stderr, "envelope_bench: no records in '%s' (--file F)\n", file.c_str());
        return 2;
    }
    long parsed = 0;
    long violations = 0;
    const auto started = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (const auto& record : records) {
            if (std::holds_alternative<contracts::ContractViolation>(
                    contracts::parse_envelope(record))) {
                ++violations;
            }
        }
        parsed += static_cast<long>(records.size());
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    }
    std::printf(
        "{\"envelopes\":%ld,\"distinct\":%zu,\"seconds\":%.3f,\"per_second\":%.0f,"
        "\"violations\":%ld}\n",
        parsed, records.size(), elapsed, static_cast<double>(parsed) / elapsed, violations);
    return violations == 0 ? 0 : 1;
}
