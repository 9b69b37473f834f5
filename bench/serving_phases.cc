#include "serving_phases.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <thread>
#include <vector>

#include "core/utc_time.h"
#include "serving_http.h"
#include "serving_live.h"

namespace callledger::bench {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "serving_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(2);
}

namespace {

constexpr double kSearchTargetMs = 10;
constexpr double kCsvTargetRowsPerSecond = 100'000;
constexpr double kLiveTargetMs = 25;

// One kind of search and how to vary it from request to request.
struct SearchKind {
  std::string name;
  std::function<std::string(std::mt19937_64&)> target;
};

std::string Day(std::int64_t midnight_us) {
  return "since=" + FormatUtcMillis(midnight_us) +
         "&until=" + FormatUtcMillis(midnight_us + kDayUs);
}

std::vector<SearchKind> SearchKinds(const RowSet& set, int days) {
  const auto random_day = [&set, days](std::mt19937_64& rng) {
    return set.first_day_us + std::uniform_int_distribution<int>(0, days - 1)(rng) * kDayUs;
  };
  return {
      {"by number",
       [&set](std::mt19937_64& rng) {
         const auto i = std::uniform_int_distribution<std::size_t>(0, set.numbers.size() - 1)(rng);
         return "/api/calls?number=" + set.numbers[i];
       }},
      {"by day (limit 50)",
       [random_day](std::mt19937_64& rng) {
         return "/api/calls?" + Day(random_day(rng)) + "&limit=50";
       }},
      {"live calls (status)",
       [](std::mt19937_64& rng) {
         return std::string("/api/calls?status=") + (rng() % 2 ? "kelyapti" : "suhbatda");
       }},
      {"missed, open, one day",
       [random_day](std::mt19937_64& rng) {
         return "/api/missed?" + Day(random_day(rng)) + "&open=true";
       }},
      // What a wallboard asks: today's open missed calls (the PBX's day, no
      // bounds given); most of today's are still open, so a page fills early.
      {"missed, open, today (extra)",
       [](std::mt19937_64& rng) {
         return std::string("/api/missed?open=true") + (rng() % 2 ? "" : "&limit=50");
       }},
      {"stats, one day (extra)",
       [random_day](std::mt19937_64& rng) { return "/api/stats?" + Day(random_day(rng)); }},
  };
}

// The number of rows a JSON answer holds ("items"), for the table's sanity
// column; stats answers count as one.
std::size_t Items(const std::string& body) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return 0;
  const auto* items = v.as_object().if_contains("items");
  return items != nullptr && items->is_array() ? items->as_array().size() : 1;
}

std::unique_ptr<ApiClient> Client(std::uint16_t port) {
  auto c = ApiClient::Connect("127.0.0.1", port);
  if (!c.ok()) Die("connect", c.status());
  return std::move(c.value());
}

// Sends `n` requests of `kind` on `client`; latencies in ms (and the rows
// they returned, when `items` is given). Any status but 200 is fatal.
std::vector<double> Run(ApiClient& client, const SearchKind& kind, std::size_t n,
                        std::mt19937_64& rng, std::uint64_t* items) {
  std::vector<double> ms;
  ms.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string target = kind.target(rng);
    const auto start = Clock::now();
    auto reply = client.Get(target);
    ms.push_back(Seconds(start) * 1000);
    if (!reply.ok()) Die(target, reply.status());
    if (reply->status != 200) {
      std::fprintf(stderr, "serving_bench: %s: HTTP %d %s\n", target.c_str(), reply->status,
                   reply->body.c_str());
      std::exit(1);
    }
    if (items != nullptr) *items += Items(reply->body);
  }
  return ms;
}

const char* Verdict(bool met) { return met ? "met" : "**NOT met**"; }

}  // namespace

void Searches(const Flags& f, const RowSet& set, std::uint16_t port) {
  const auto kinds = SearchKinds(set, f.days);
  std::printf(
      "\n| search, 1 client (keep-alive) | requests | p50 ms | p99 ms | max ms | rows/answer | p99 "
      "<= %.0f ms |\n",
      kSearchTargetMs);
  std::printf("|---|---|---|---|---|---|---|\n");
  auto client = Client(port);
  std::mt19937_64 rng(7);
  for (const auto& kind : kinds) {
    (void)Run(*client, kind, f.warmup, rng, nullptr);  // the warm-up's figures are not kept
    std::uint64_t items = 0;
    const LatencySummary s = Summarize(Run(*client, kind, f.requests, rng, &items));
    std::printf("| %s | %zu | %.2f | %.2f | %.2f | %.1f | %s |\n", kind.name.c_str(), s.n, s.p50_ms,
                s.p99_ms, s.max_ms, static_cast<double>(items) / static_cast<double>(s.n),
                Verdict(s.p99_ms <= kSearchTargetMs));
    std::fflush(stdout);
  }
  if (f.concurrency < 2) return;
  std::printf("\n| search, %zu clients at once | requests | req/s | p50 ms | p99 ms | max ms |\n",
              f.concurrency);
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& kind : kinds) {
    std::vector<std::vector<double>> per(f.concurrency);
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (std::size_t t = 0; t < f.concurrency; ++t) {
      threads.emplace_back([&, t] {
        auto c = Client(port);
        std::mt19937_64 r(100 + t);
        per[t] = Run(*c, kind, f.requests / f.concurrency, r, nullptr);
      });
    }
    for (auto& t : threads) t.join();
    const double secs = Seconds(start);
    std::vector<double> all;
    for (const auto& v : per) all.insert(all.end(), v.begin(), v.end());
    const LatencySummary s = Summarize(all);
    std::printf("| %s | %zu | %.0f | %.2f | %.2f | %.2f |\n", kind.name.c_str(), s.n,
                static_cast<double>(s.n) / secs, s.p50_ms, s.p99_ms, s.max_ms);
    std::fflush(stdout);
  }
}

std::int64_t Count(const std::string& dsn, const std::string& where) {
  pqxx::connection conn(dsn);
  pqxx::nontransaction tx(conn);
  return tx.exec1("SELECT count(*) FROM call_logs" + where)[0].as<std::int64_t>();
}

void CsvExports(const Flags& f, const RowSet& set, const std::string& dsn, std::uint16_t port) {
  // Six of the sixty days: ~10 % of the rows.
  const std::int64_t since = set.first_day_us + (f.days / 3) * kDayUs;
  const std::int64_t until = since + std::max(1, f.days / 10) * kDayUs;
  struct Export {
    std::string name, target, where;
  };
  const std::vector<Export> exports = {
      {"every row", "/api/calls.csv", ""},
      {"~10 % of the rows (" + std::to_string(std::max(1, f.days / 10)) + " days)",
       "/api/calls.csv?since=" + FormatUtcMillis(since) + "&until=" + FormatUtcMillis(until),
       " WHERE start_time >= to_timestamp(" + std::to_string(since / 1'000'000) +
           ") AND start_time < to_timestamp(" + std::to_string(until / 1'000'000) + ")"},
  };
  std::printf(
      "\n| CSV export | rows | = count(*) | seconds | rows/s | MB/s | >= 100,000 rows/s |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const auto& e : exports) {
    auto client = Client(port);  // a cut-off export leaves its connection unusable
    const auto start = Clock::now();
    auto got = client->GetCounting(e.target, std::chrono::seconds(f.csv_limit_s));
    const double secs = Seconds(start);
    if (!got.ok()) Die(e.target, got.status());
    if (got->status != 200) {
      std::fprintf(stderr, "serving_bench: %s: HTTP %d\n", e.target.c_str(), got->status);
      std::exit(1);
    }
    const std::uint64_t rows = got->lines > 0 ? got->lines - 1 : 0;  // minus the header
    const std::int64_t expected = Count(dsn, e.where);
    const double rate = static_cast<double>(rows) / secs;
    const char* equal = !got->complete                                ? "**cut off**"
                        : static_cast<std::int64_t>(rows) == expected ? "yes"
                                                                      : "**NO**";
    std::printf("| %s | %llu | %s (%lld) | %.2f | %.0f | %.1f | %s |\n", e.name.c_str(),
                static_cast<unsigned long long>(rows), equal, static_cast<long long>(expected),
                secs, rate, static_cast<double>(got->bytes) / secs / 1e6,
                Verdict(rate >= kCsvTargetRowsPerSecond));
    std::fflush(stdout);
  }
}

void Live(const Flags& f, const std::string& dsn, std::uint16_t port, store::RocksEventLog& log,
          server::HttpServer& server, MetricsRegistry& metrics) {
  LiveOptions o;
  o.port = port;
  o.clients = f.clients;
  o.rate = f.rate;
  o.seconds = f.seconds;
  o.dsn = dsn;
  auto r = RunLiveFanOut(o, log, server, metrics);
  if (!r.ok()) Die("live feed", r.status());
  const bool complete = r->min_client_changes == r->published_changes &&
                        r->max_client_changes == r->published_changes;
  std::printf("\n| live feed (%zu WebSocket clients, %.0f frames/s for %.0f s) | result |\n",
              r->clients, f.rate, f.seconds);
  std::printf("|---|---|\n");
  std::printf("| frames appended (achieved rate) | %llu in %.2f s (%.0f/s) |\n",
              static_cast<unsigned long long>(r->frames), r->append_seconds,
              static_cast<double>(r->frames) / std::max(r->append_seconds, 1e-9));
  std::printf(
      "| messages (committed batches with changes) / row changes / distinct calls | %llu / %llu / "
      "%llu |\n",
      static_cast<unsigned long long>(r->published_batches),
      static_cast<unsigned long long>(r->published_changes),
      static_cast<unsigned long long>(r->calls_changed));
  std::printf(
      "| row changes delivered, all clients | %llu in %.2f s = %.0f/s (%.0f/s per client) |\n",
      static_cast<unsigned long long>(r->delivered_changes), r->delivery_seconds,
      static_cast<double>(r->delivered_changes) / r->delivery_seconds,
      static_cast<double>(r->delivered_changes) / r->delivery_seconds /
          static_cast<double>(r->clients));
  std::printf("| every client got every change | %s (min %llu, max %llu of %llu) |\n",
              complete ? "yes" : "**NO**", static_cast<unsigned long long>(r->min_client_changes),
              static_cast<unsigned long long>(r->max_client_changes),
              static_cast<unsigned long long>(r->published_changes));
  std::printf("| clients dropped / slow disconnects (metric) | %llu / %llu |\n",
              static_cast<unsigned long long>(r->clients_dropped),
              static_cast<unsigned long long>(r->slow_disconnects));
  std::printf(
      "| **append -> client latency** p50 / p99 / max (%llu samples) | %.2f / %.2f / %.2f ms — p99 "
      "<= %.0f ms %s |\n",
      static_cast<unsigned long long>(r->latency_samples), r->p50_ms, r->p99_ms, r->max_ms,
      kLiveTargetMs, Verdict(r->p99_ms <= kLiveTargetMs));
  std::printf("| snapshot on connect | %zu live calls |\n", r->snapshot_calls);
  if (r->unmatched_seqs > 0) {
    std::printf("| rows whose last_seq had no recorded append | **%llu** |\n",
                static_cast<unsigned long long>(r->unmatched_seqs));
  }
}

}  // namespace callledger::bench
