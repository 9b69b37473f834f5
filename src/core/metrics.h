// Metrics: counters, histograms and gauges for `GET /metrics`, rendered in
// Prometheus' text exposition format (version 0.0.4).
//
// The registry owns every metric; references it returns stay valid for its
// lifetime. Counters and histograms are lock-free to update from any thread.
// Get-or-create: asking twice for the same name and labels returns the same
// metric, so label values discovered at run time (an event type, a route
// and status) cost one locked map lookup; hot paths keep the reference.
//
// No clock here: callers measure durations and pass seconds.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callledger {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Cumulative buckets with fixed upper bounds (seconds, ascending).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts; the last is +Inf.
  std::vector<std::uint64_t> BucketCounts() const;
  std::uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// 50 µs .. 10 s, roughly x2.5 apart: append, fsync, commit and push latencies.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  Counter& GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const MetricLabels& labels = {},
                          std::vector<double> bounds = LatencyBuckets());
  // A value read when rendered (lag, connected clients, ...). Replaces an
  // earlier gauge of the same name and labels.
  void SetGauge(std::string_view name, std::string_view help, std::function<double()> value,
                const MetricLabels& labels = {});

  // A counter whose value another component keeps (an atomic it already
  // has), read when rendered. Must only ever grow.
  void SetCounterFunction(std::string_view name, std::string_view help,
                          std::function<double()> value, const MetricLabels& labels = {});

  // Families by name, series by labels, both sorted: stable output.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kHistogram, kGauge };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered labels
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::map<std::string, std::function<double()>> gauges;  // or counter functions
  };
  Family& FamilyFor(std::string_view name, std::string_view help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// `{a="x",b="y"}` with Prometheus escaping; "" for no labels.
std::string RenderLabels(const MetricLabels& labels);

}  // namespace callledger
