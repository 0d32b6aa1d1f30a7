#pragma once
// A service's --help repeats each default as text beside the code that applies it. Setting
// each named default explicitly must give the configuration the unset environment gives, so
// a default changed in one place only fails a test instead of misleading an operator.

#include <stdlib.h>

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <sstream>
#include <string>
#include <vector>

namespace ordersource::testing {

struct UsageDefault {
    std::string variable;
    std::string value;
};

// Every "  NAME  description [default]" entry of a usage text (a description may go on over
// more indented lines). Left out: entries without a default, a pattern such as
// ORDERSOURCE_RDKAFKA_<NAME>, and one line naming several variables ("a / b / c").
inline std::vector<UsageDefault> usage_defaults(const std::string& usage) {
    struct Entry {
        std::string variable;
        std::string text;
    };
    std::vector<Entry> entries;
    std::istringstream lines(usage);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() > 2 && line.starts_with("  ") &&
            std::isupper(static_cast<unsigned char>(line[2])) != 0) {
            const auto end = line.find(' ', 2);
            entries.push_back({line.substr(2, end - 2),
                               end == std::string::npos ? std::string{} : line.substr(end)});
        } else if (!entries.empty() && line.starts_with("    ")) {
            entries.back().text += line;
        }
    }
    std::vector<UsageDefault> defaults;
    for (auto& [variable, text] : entries) {
        while (!text.empty() && text.back() == ' ') text.pop_back();
        const auto open = text.rfind('[');
        if (text.empty() || text.back() != ']' || open == std::string::npos) continue;
        auto value = text.substr(open + 1, text.size() - open - 2);
        if (variable.find('<') != std::string::npos || value.find(" / ") != std::string::npos) {
            continue;
        }
        defaults.push_back({variable, value});
    }
    return defaults;
}

// `Config` must compare with ==; from_env reads the process environment, which this clears.
template <typename Config>
void check_usage_defaults(const std::string& usage, Config (*from_env)()) {
    ::clearenv();
    const Config unset = from_env();
    const auto defaults = usage_defaults(usage);
    BOOST_TEST_REQUIRE(defaults.size() >= 6U);  // the entries were found at all
    for (const auto& [variable, value] : defaults) {
        BOOST_TEST_CONTEXT(variable << "=" << value) {
            ::setenv(variable.c_str(), value.c_str(), 1);
            BOOST_TEST((from_env() == unset));
            ::unsetenv(variable.c_str());
        }
    }
}

}  // namespace ordersource::testing
