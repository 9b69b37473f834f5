// The metrics registry: Prometheus text format, get-or-create, label
// escaping, histogram buckets.
#include "core/metrics.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace callledger {
namespace {

TEST_CASE("metrics render in Prometheus text format, families and series sorted") {
  MetricsRegistry m;
  m.GetCounter("b_total", "B things.", {{"type", "StasisStart"}}).Add(3);
  m.GetCounter("b_total", "B things.", {{"type", "Dial"}}).Add();
  m.GetCounter("a_total", "A things.").Add(2);
  double level = 1.5;
  m.SetGauge("c_level", "C level.", [&level] { return level; });
  m.SetCounterFunction("d_total", "D, kept elsewhere.", [] { return 7.0; });
  const std::string text = m.RenderPrometheus();
  CHECK(text ==
        "# HELP a_total A things.\n# TYPE a_total counter\na_total 2\n"
        "# HELP b_total B things.\n# TYPE b_total counter\n"
        "b_total{type=\"Dial\"} 1\nb_total{type=\"StasisStart\"} 3\n"
        "# HELP c_level C level.\n# TYPE c_level gauge\nc_level 1.5\n"
        "# HELP d_total D, kept elsewhere.\n# TYPE d_total counter\nd_total 7\n");
  level = 2;
  CHECK(m.RenderPrometheus().find("c_level 2\n") != std::string::npos);
}

TEST_CASE("the same name and labels give the same counter") {
  MetricsRegistry m;
  Counter& a = m.GetCounter("x_total", "X.", {{"route", "/api/calls"}, {"status", "200"}});
  Counter& b = m.GetCounter("x_total", "X.", {{"route", "/api/calls"}, {"status", "200"}});
  Counter& c = m.GetCounter("x_total", "X.", {{"route", "/api/calls"}, {"status", "400"}});
  CHECK(&a == &b);
  CHECK(&a != &c);
}

TEST_CASE("label values are escaped") {
  CHECK(RenderLabels({{"type", "a\"b\\c\nd"}}) == "{type=\"a\\\"b\\\\c\\nd\"}");
  CHECK(RenderLabels({}).empty());
}

TEST_CASE("histogram buckets are cumulative with le bounds, sum and count") {
  MetricsRegistry m;
  Histogram& h = m.GetHistogram("lat_seconds", "Latency.", {{"op", "append"}}, {0.001, 0.01, 0.1});
  for (double v : {0.0005, 0.001, 0.002, 0.05, 3.0}) h.Observe(v);
  const std::string text = m.RenderPrometheus();
  CHECK(text.find("lat_seconds_bucket{op=\"append\",le=\"0.001\"} 2\n") != std::string::npos);
  CHECK(text.find("lat_seconds_bucket{op=\"append\",le=\"0.01\"} 3\n") != std::string::npos);
  CHECK(text.find("lat_seconds_bucket{op=\"append\",le=\"0.1\"} 4\n") != std::string::npos);
  CHECK(text.find("lat_seconds_bucket{op=\"append\",le=\"+Inf\"} 5\n") != std::string::npos);
  CHECK(text.find("lat_seconds_count{op=\"append\"} 5\n") != std::string::npos);
  CHECK(h.Sum() == Approx(3.0535));
}

TEST_CASE("counters and histograms count exactly under concurrent updates") {
  MetricsRegistry m;
  Counter& c = m.GetCounter("n_total", "N.");
  Histogram& h = m.GetHistogram("h_seconds", "H.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Add();
        h.Observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.Value() == 40000);
  CHECK(h.Count() == 40000);
}

}  // namespace
}  // namespace callledger
