// daemon_bench: call-ledgerd fed by ari-sim at full speed, both real
// processes on 127.0.0.1 (sharing this machine's two cores), with a private
// PostgreSQL (run under tools/scripts/with-postgres.sh).
//
//   with-postgres.sh daemon_bench [--frames N] [--live-calls C]
//
// The captured observer sessions are replicated with fresh ids to N frames
// and written to a file ari-sim serves with --fast. Prints the sustained
// ingest rate (first to last frame's received_at in the fsynced ledger), the
// time until the call log had caught up, and the daemon's peak RSS.
// With --rate R, ari-sim paces the frames at R per second, and the bench
// reports the latency from a frame's arrival (its received_at in the ledger)
// to the moment its record is committed in PostgreSQL (the checkpoint, polled
// every millisecond), p50/p99.
// With --live-calls C, the stream is instead every session cut before its
// first hangup, replicated until C calls are in progress at the end; the
// daemon's resident memory is then measured with those calls live.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "pg/pg_call_log_store.h"
#include "record/record_codec.h"
#include "replay/synthetic.h"
#include "store/rocks_event_log.h"

namespace {

using namespace callledger;
using Clock = std::chrono::steady_clock;

pid_t Spawn(std::vector<std::string> argv, const std::vector<std::string>& env,
            const std::string& out, const std::string& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

long PeakRssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t target = 300'000;
  std::size_t live_calls = 0;
  double rate = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc)
      target = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--live-calls" && i + 1 < argc)
      live_calls = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--rate" && i + 1 < argc)
      rate = std::strtod(argv[++i], nullptr);
    else {
      std::fprintf(stderr,
                   "usage: daemon_bench [--frames N] (under tools/scripts/with-postgres.sh)\n");
      return a == "--help" ? 0 : 2;
    }
  }
  const char* pg_env = std::getenv("CALL_LEDGER_TEST_PG");
  if (pg_env == nullptr) {
    std::fprintf(stderr, "daemon_bench: run it under tools/scripts/with-postgres.sh\n");
    return 2;
  }
  const std::string dsn = pg_env;
  const auto dir = std::filesystem::temp_directory_path() / "call-ledger-daemon-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  std::vector<std::string> frames;
  std::vector<std::vector<std::string>> prefixes;  // each session up to its first hangup
  std::vector<std::size_t> prefix_calls;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(
           std::filesystem::path(CALL_LEDGER_SOURCE_DIR) / "fixtures" / "asterisk")) {
    if (e.path().filename().string().ends_with(".observer.jsonl")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    bool hung_up = false;
    prefixes.emplace_back();
    prefix_calls.push_back(0);
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      frames.push_back(line);
      hung_up = hung_up || line.find("\"type\":\"ChannelHangupRequest\"") != std::string::npos;
      if (hung_up) continue;
      prefixes.back().push_back(line);
      if (line.find("\"dialplan_app\":\"Stasis\"") != std::string::npos) ++prefix_calls.back();
    }
  }
  {
    std::ofstream out(dir / "stream.jsonl", std::ios::binary);
    if (live_calls == 0) {
      for (std::size_t i = 0; i < target; ++i) {
        out << replay::WithFreshIds(frames[i % frames.size()], i / frames.size() + 1) << '\n';
      }
    } else {
      target = 0;
      std::size_t calls = 0;
      for (std::uint64_t replica = 1; calls < live_calls; ++replica) {
        for (std::size_t f = 0; f < prefixes.size() && calls < live_calls; ++f) {
          for (const auto& line : prefixes[f]) out << replay::WithFreshIds(line, replica) << '\n';
          target += prefixes[f].size();
          calls += prefix_calls[f];
        }
      }
    }
  }

  std::vector<std::string> sim_args = {ARI_SIM_PATH, "--listen", "127.0.0.1:0"};
  if (rate > 0) {
    sim_args.push_back("--rate");
    sim_args.push_back(std::to_string(rate));
  } else {
    sim_args.push_back("--fast");
  }
  sim_args.push_back((dir / "stream.jsonl").string());
  const pid_t sim = Spawn(sim_args, {}, (dir / "sim.out").string(), (dir / "sim.err").string());
  std::string address;
  for (int i = 0; i < 500 && address.empty(); ++i) {
    std::ifstream in(dir / "sim.out");
    std::string line;
    if (std::getline(in, line) && line.starts_with("listening on "))
      address = line.substr(13);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto start = Clock::now();
  const pid_t daemon =
      Spawn({CALL_LEDGERD_PATH},
            {"ARI_URL=http://" + address, "ARI_USER=backend", "ARI_PASSWORD=CallCenter2025",
             "DATABASE_URL=" + dsn, "LEDGER_DIR=" + (dir / "ledger").string(), "NODE_NAME=bench",
             "LOG_LEVEL=warn", "HTTP_LISTEN=127.0.0.1:0"},
            (dir / "d.out").string(), (dir / "d.err").string());
  auto store = pg::PgCallLogStore::Open(dsn);
  if (!store.ok()) return 2;
  const std::uint64_t expected = target + 3;
  std::uint64_t cp = 0;
  // (wall-clock µs when first seen, checkpoint) pairs, for the latency.
  std::vector<std::pair<std::int64_t, std::uint64_t>> seen;
  while (cp < expected && Clock::now() - start < std::chrono::minutes(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(rate > 0 ? 1 : 20));
    auto r = (*store)->Checkpoint("bench");
    if (r.ok() && r->value > cp) {
      cp = r->value;
      seen.emplace_back(std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count(),
                        cp);
    }
  }
  const double caught_up = std::chrono::duration<double>(Clock::now() - start).count();
  const long rss = PeakRssKb(daemon);
  long rss_now = -1;
  std::uint64_t live_rows = 0;
  if (live_calls > 0) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::ifstream in("/proc/" + std::to_string(daemon) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("VmRSS:")) rss_now = std::stol(line.substr(6));
    }
    auto rows = (*store)->AllRows("bench");
    if (rows.ok()) {
      for (const auto& r : *rows) live_rows += r.status != CallStatus::kFinished;
    }
  }
  kill(daemon, SIGTERM);
  waitpid(daemon, nullptr, 0);
  kill(sim, SIGTERM);
  waitpid(sim, nullptr, 0);
  if (cp < expected) {
    std::fprintf(stderr, "daemon_bench: the call log reached seq %llu of %llu\n",
                 static_cast<unsigned long long>(cp), static_cast<unsigned long long>(expected));
    return 1;
  }

  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto log = store::RocksEventLog::Open(dir / "ledger", ro);
  if (!log.ok()) return 2;
  std::int64_t first = 0, last = 0;
  std::uint64_t n = 0;
  std::vector<double> latency_ms;
  std::size_t k = 0;
  const Status scanned =
      (*log)->ScanEncoded(Seq{1}, Seq{UINT64_MAX}, [&](Seq key, std::string_view bytes) {
        auto r = DecodeRecord(bytes);
        if (r.ok() && r->kind == RecordKind::kAriEvent) {
          if (first == 0) first = r->received_at_us;
          last = r->received_at_us;
          ++n;
          while (k < seen.size() && seen[k].second < key.value) ++k;
          if (k < seen.size())
            latency_ms.push_back(static_cast<double>(seen[k].first - r->received_at_us) / 1000.0);
        }
        return true;
      });
  if (!scanned.ok()) return 2;
  const double ingest_s = static_cast<double>(last - first) / 1e6;
  std::printf(
      "daemon_bench: %zu frames (captured observer sessions, fresh ids), ari-sim --fast -> "
      "call-ledgerd -> PostgreSQL\n",
      target);
  std::printf(
      "ingest           %10.0f events/s  into the fsynced ledger (%llu frames in %.2f s, first to "
      "last received)\n",
      static_cast<double>(n) / ingest_s, static_cast<unsigned long long>(n), ingest_s);
  std::printf(
      "call log         %10.0f events/s  caught up %.2f s after the daemon started (projector lag "
      "at the end: %.2f s)\n",
      static_cast<double>(expected) / caught_up, caught_up, caught_up - ingest_s);
  std::printf("peak RSS         %10ld kB       (call-ledgerd, VmHWM)\n", rss);
  if (rate > 0 && !latency_ms.empty()) {
    std::sort(latency_ms.begin(), latency_ms.end());
    auto pct = [&](double p) {
      return latency_ms[static_cast<std::size_t>(p * static_cast<double>(latency_ms.size() - 1))];
    };
    std::printf(
        "latency          p50 %.1f ms, p99 %.1f ms, max %.1f ms  (frame received -> its record "
        "committed in PostgreSQL, at %.0f frames/s; 1 ms polling)\n",
        pct(0.5), pct(0.99), latency_ms.back(), rate);
  }
  if (live_calls > 0) {
    std::printf(
        "resident         %10ld kB       with %llu calls live in the call log (VmRSS, 1 s after "
        "catching up)\n",
        rss_now, static_cast<unsigned long long>(live_rows));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
