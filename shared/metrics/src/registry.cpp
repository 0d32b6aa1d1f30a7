#include "ordersource/metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace ordersource::metrics {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                            (allow_colon && c == ':');
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::string escape_label_value(std::string_view value) {
    std::string escaped;
    for (const char c : value) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '"') {
            escaped += "\\\"";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string escape_help(std::string_view help) {
    std::string escaped;
    for (const char c : help) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string format_number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    char text[64];
    std::snprintf(text, sizeof(text), "%.17g", value);
    return text;
}

// {a="x",b="y"} with an optional extra label (le="..."); "" without labels.
std::string label_set(const std::vector<std::string>& names,
                      const Labels& values,
                      const std::string& extra = "") {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) {
        text += (text.empty() ? "" : ",") + names[i] + "=\"" + escape_label_value(values[i]) + "\"";
    }
    if (!extra.empty()) text += (text.empty() ? "" : ",") + extra;
    return text.empty() ? "" : "{" + text + "}";
}

}  // namespace

void Gauge::add(double by) {
    value_.fetch_add(by, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {}

void Histogram::observe(double value) {
    std::size_t bucket = 0;
    while (bucket < upper_bounds_.size() && value > upper_bounds_[bucket]) ++bucket;
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot snapshot{upper_bounds_, {}, sum_.load(std::memory_order_relaxed), 0};
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        snapshot.cumulative.push_back(running);
    }
    snapshot.count = running;
    return snapshot;
}

std::vector<double> default_latency_buckets() {
    // Finer between 1 and 30 ms, where the gateway's p99 target (20 ms) lies: a quantile
    // interpolated inside (10, 25] said little about it.
    return {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02,
            0.03,   0.05,  0.1,   0.25,  0.5,   1,      2.5,  5,     10};
}

template <typename Metric>
struct Family<Metric>::Impl {
    std::string name;
    std::vector<std::string> label_names;
    std::vector<double> upper_bounds;  // histograms only
    mutable std::mutex mutex;
    std::map<Labels, std::unique_ptr<Metric>> children;

    Metric& child(const Labels& values) {
        if (values.size() != label_names.size()) {
            throw std::invalid_argument(name + ": expected " + std::to_string(label_names.size()) +
                                        " label values");
        }
        const std::lock_guard lock(mutex);
        auto& slot = children[values];
        if (!slot) {
            if constexpr (std::is_same_v<Metric, Histogram>) {
                slot = std::make_unique<Histogram>(upper_bounds);
            } else {
                slot = std::make_unique<Metric>();
            }
        }
        return *slot;
    }
};

template <typename Metric>
Metric& Family<Metric>::with(const Labels& values) {
    return impl_->child(values);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct Registry::Impl {
    mutable std::mutex mutex;
    std::set<std::string> names;
    std::vector<std::function<void(std::string&)>> renderers;

    void claim(const std::string& name, const std::vector<std::string>& label_names) {
        if (!valid_name(name, true))
            throw std::invalid_argument("invalid metric name '" + name + "'");
        for (const auto& label : label_names) {
            if (!valid_name(label, false) || label == "le" || label.starts_with("__")) {
                throw std::invalid_argument("invalid label name '" + label + "' on " + name);
            }
        }
        const std::lock_guard lock(mutex);
        if (!names.insert(name).second)
            throw std::invalid_argument("metric '" + name + "' registered twice");
    }
    void add(std::function<void(std::string&)> renderer) {
        const std::lock_guard lock(mutex);
        renderers.push_back(std::move(renderer));
    }
};

void add_computed(Registry::Impl& registry,
                  const char* type,
                  std::string name,
                  std::string help,
                  std::vector<std::string> label_names,
                  std::function<std::vector<std::pair<Labels, double>>()> collect);

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

namespace {

std::string header(const std::string& name, const std::string& help, const char* type) {
    return "# HELP " + name + " " + escape_help(help) + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Family<Counter> Registry::counter(std::string name,
                                  std::string help,
                                  std::vector<std::string> label_names) {
    impl_->claim(name, label_names);
    auto family = std::make_shared<Family<Counter>::Impl>();
    family->name = name;
    family->label_names = std::move(label_names);
    impl_->add([family, help = std::move(help)](std::string& out) {
        out += header(family->name, help, "counter");
        const std::lock_guard lock(family->mutex);
        for (const auto& [values, counter] : family->children) {
            out += family->name + label_set(family->label_names, values) + " " +
                   std::to_string(counter->value()) + "\n";
        }
    });
    return Family<Counter>(family);
}

Family<Gauge> Registry::gauge(std::string name,
                              std::string help,
                              std::vector<std::string> label_names) {
    impl_->claim(name, label_names);
    auto family = std::make_shared<Family<Gauge>::Impl>();
    family->name = name;
    family->label_names = std::move(label_names);
    impl_->add([family, help = std::move(help)](std::string& out) {
        out += header(family->name, help, "gauge");
        const std::lock_guard lock(family->mutex);
        for (const auto& [values, gauge] : family->children) {
            out += family->name + label_set(family->label_names, values) + " " +
                   format_number(gauge->value()) + "\n";
        }
    });
    return Family<Gauge>(family);
}

Family<Histogram> Registry::histogram(std::string name,
                                      std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> upper_bounds) {
    impl_->claim(name, label_names);
    if (upper_bounds.empty() || !std::is_sorted(upper_bounds.begin(), upper_bounds.end())) {
        throw std::invalid_argument(name + ": histogram bounds must be non-empty and increasing");
    }
    auto family = std::make_shared<Family<Histogram>::Impl>();
    family->name = name;
    family->label_names = std::move(label_names);
    family->upper_bounds = std::move(upper_bounds);
    impl_->add([family, help = std::move(help)](std::string& out) {
        out += header(family->name, help, "histogram");
        const std::lock_guard lock(family->mutex);
        for (const auto& [values, histogram] : family->children) {
            const auto snapshot = histogram->snapshot();
            for (std::size_t i = 0; i <= snapshot.upper_bounds.size(); ++i) {
                const auto bound = i < snapshot.upper_bounds.size()
                                       ? format_number(snapshot.upper_bounds[i])
                                       : "+Inf";
                out += family->name + "_bucket" +
                       label_set(family->label_names, values, "le=\"" + bound + "\"") + " " +
                       std::to_string(snapshot.cumulative[i]) + "\n";
            }
            out += family->name + "_sum" + label_set(family->label_names, values) + " " +
                   format_number(snapshot.sum) + "\n";
            out += family->name + "_count" + label_set(family->label_names, values) + " " +
                   std::to_string(snapshot.count) + "\n";
        }
    });
    return Family<Histogram>(family);
}

void add_computed(Registry::Impl& registry,
                  const char* type,
                  std::string name,
                  std::string help,
                  std::vector<std::string> label_names,
                  std::function<std::vector<std::pair<Labels, double>>()> collect) {
    registry.claim(name, label_names);
    registry.add([type, name, help = std::move(help), label_names = std::move(label_names),
                  collect = std::move(collect)](std::string& out) {
        out += header(name, help, type);
        for (const auto& [values, value] : collect()) {
            if (values.size() != label_names.size()) continue;
            out += name + label_set(label_names, values) + " " + format_number(value) + "\n";
        }
    });
}

void Registry::computed_gauge(std::string name,
                              std::string help,
                              std::vector<std::string> label_names,
                              std::function<std::vector<std::pair<Labels, double>>()> collect) {
    add_computed(*impl_, "gauge", std::move(name), std::move(help), std::move(label_names),
                 std::move(collect));
}

void Registry::computed_counter(std::string name,
                                std::string help,
                                std::vector<std::string> label_names,
                                std::function<std::vector<std::pair<Labels, double>>()> collect) {
    add_computed(*impl_, "counter", std::move(name), std::move(help), std::move(label_names),
                 std::move(collect));
}

std::string Registry::render() const {
    std::vector<std::function<void(std::string&)>> renderers;
    {
        const std::lock_guard lock(impl_->mutex);
        renderers = impl_->renderers;
    }
    std::string out;
    for (const auto& render_family : renderers) render_family(out);
    return out;
}

}  // namespace ordersource::metrics
