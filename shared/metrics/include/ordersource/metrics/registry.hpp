#pragma once
// Prometheus metrics (text exposition format 0.0.4) without a client library: counters,
// gauges (set, or computed at scrape time) and histograms, each a family with fixed label
// names. Hot paths are atomics; a mutex is taken only when a new label combination appears.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ordersource::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::string>;  // values, in the order of the family's label names

class Counter {
  public:
    void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
  public:
    void set(double value) { value_.store(value, std::memory_order_relaxed); }
    void add(double by);
    double value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> value_{0};
};

class Histogram {
  public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);

    struct Snapshot {
        std::vector<double> upper_bounds;
        std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;

  private:
    std::vector<double> upper_bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative, last = +Inf
    std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 0.5 ms to 10 s.
std::vector<double> default_latency_buckets();

template <typename Metric>
class Family {
  public:
    // The child for these label values (created on first use; the reference stays valid).
    Metric& with(const Labels& values);

    struct Impl;
    explicit Family(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

  private:
    std::shared_ptr<Impl> impl_;
};

class Registry {
  public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and be unique; label names
    // [a-zA-Z_][a-zA-Z0-9_]*. Throws std::invalid_argument otherwise.
    Family<Counter> counter(std::string name,
                            std::string help,
                            std::vector<std::string> label_names = {});
    Family<Gauge> gauge(std::string name,
                        std::string help,
                        std::vector<std::string> label_names = {});
    Family<Histogram> histogram(std::string name,
                                std::string help,
                                std::vector<std::string> label_names = {},
                                std::vector<double> upper_bounds = default_latency_buckets());
    // A gauge family whose samples are computed at scrape time: `collect` returns
    // (label values, value) pairs. It runs on the scraping thread; keep it cheap.
    void computed_gauge(std::string name,
                        std::string help,
                        std::vector<std::string> label_names,
                        std::function<std::vector<std::pair<Labels, double>>()> collect);

    // The same for a counter kept elsewhere (e.g. atomics of a library that does not know
    // this registry); values must never decrease.
    void computed_counter(std::string name,
                          std::string help,
                          std::vector<std::string> label_names,
                          std::function<std::vector<std::pair<Labels, double>>()> collect);

    // Every family in registration order, in the text exposition format.
    std::string render() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace ordersource::metrics
