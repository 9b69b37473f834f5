#include "heal_runs.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <set>
#include <sstream>

#include "ari-sim/restamp.h"
#include "daemon_http.h"
#include "daemon_runs.h"
#include "e2e_helpers.h"
#include "pg/pg_call_log_store.h"
#include "record/record_codec.h"
#include "replay/rebuild.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"
#include "support/wait.h"

namespace callledger::testing {
namespace {

using namespace std::chrono_literals;

// A whole run of several captures takes up to a minute; a wait for one
// step of it that takes longer than this has failed.
constexpr auto kStreamTimeout = 150s;
constexpr auto kStepTimeout = 30s;
constexpr const char* kRecordingsDir = "/var/spool/asterisk/recording";

// The daemon's settings for healing runs (heal_runs.h says why).
constexpr const char* kDaemonConfig =
    "[ari]\n"
    "reconnect_initial_ms = 20\n"
    "reconnect_max_ms = 100\n"
    "[cel]\n"
    "settle_ms = 1000\n";

std::string Scenario(const std::filesystem::path& stream) {
  std::string name = stream.filename().string();
  return name.substr(0, name.size() - std::string(".jsonl").size());
}

}  // namespace

std::filesystem::path CelFixture(const std::string& name) {
  return SourceDir() / "fixtures" / "asterisk-cel" / name;
}

std::vector<std::string> CaptureFrames(const std::filesystem::path& stream) {
  std::vector<std::string> frames;
  for (auto& line : ReadLines(stream)) {
    if (!line.empty()) frames.push_back(std::move(line));
  }
  return frames;
}

std::vector<replay::RowText> UncutRows(const std::filesystem::path& stream,
                                       const std::string& node) {
  const auto golden =
      SourceDir() / "fixtures" / "expected" / "cel" / (Scenario(stream) + ".rows.json");
  auto rows = replay::RowTextsFromJson(ReadFile(golden));
  INFO(golden.string());
  REQUIRE(rows.ok());
  for (auto& row : *rows) {
    for (auto& [column, value] : row) {
      if (column == "node") value = node;
    }
  }
  return *rows;
}

int CountInLog(const std::filesystem::path& file, const std::string& text) {
  if (!std::filesystem::exists(file)) return 0;
  std::istringstream lines(ReadFile(file));
  int count = 0;
  for (std::string line; std::getline(lines, line);) count += line.find(text) != std::string::npos;
  return count;
}

HealRun::HealRun(const TestDatabase& db, HealRunOptions options)
    : db_(db), options_(std::move(options)), dir_(std::make_unique<TempDir>("heal-run")) {
  for (const HealCapture& c : options_.captures) frames_.push_back(CaptureFrames(c.stream));
  WriteFile(*dir_ / "config.toml", kDaemonConfig);
  if (options_.prepare_cel) options_.prepare_cel(cel_path());
  sim_ =
      std::make_unique<Child>(SimArgs(), std::vector<std::string>{}, *dir_ / "sim.out", sim_log());
  address_ = WaitForListening(*dir_ / "sim.out");
  StartDaemon();
}

HealRun::~HealRun() = default;

std::vector<std::string> HealRun::SimArgs() const {
  std::vector<std::string> args = {
      ARI_SIM_PATH,
      "--listen",
      "127.0.0.1:0",
      "--realtime",
      "--restamp",
      "--lead-in-ms",
      std::to_string(kHealLeadInMs),
      "--info",
      CelFixture("a-inbound-answered.api-asterisk-info.json").string()};
  std::uint64_t before = 0;  // frames of the captures before
  bool any_cel = false;
  for (std::size_t j = 0; j < options_.captures.size(); ++j) {
    for (const replay::Cut& cut : options_.captures[j].cuts) {
      args.insert(args.end(), {"--drop-at", std::to_string(before + cut.after_frame), "--gap",
                               std::to_string(cut.gap)});
    }
    before += frames_[j].size();
    any_cel |= !options_.captures[j].cel.empty();
  }
  if (any_cel) {
    for (const HealCapture& c : options_.captures)
      args.insert(args.end(), {"--cel", c.cel.string()});
    args.insert(args.end(), {"--cel-out", cel_path().string()});
  }
  args.insert(args.end(), options_.sim_args.begin(), options_.sim_args.end());
  for (const HealCapture& c : options_.captures) args.push_back(c.stream.string());
  return args;
}

std::filesystem::path HealRun::daemon_log() const {
  return *dir_ / ("d" + std::to_string(daemons_) + ".err");
}

void HealRun::StartDaemon() {
  ++daemons_;
  std::vector<std::string> env = DaemonEnv(address_, db_, *dir_, options_.node);
  if (options_.cel_file) env.push_back("CEL_FILE=" + cel_path().string());
  daemon_ = std::make_unique<Child>(
      std::vector<std::string>{CALL_LEDGERD_PATH, "--config", (*dir_ / "config.toml").string()},
      env, *dir_ / ("d" + std::to_string(daemons_) + ".out"), daemon_log());
  http_ = DaemonHttpAddress(daemon_log());
}

void HealRun::KillDaemon() {
  REQUIRE(daemon_);
  CHECK(daemon_->Stop(SIGKILL) == 128 + SIGKILL);
  daemon_.reset();
}

void HealRun::Settle() {
  const bool any_cel = std::any_of(options_.captures.begin(), options_.captures.end(),
                                   [](const HealCapture& c) { return !c.cel.empty(); });
  // A connection per daemon and one after each cut, whenever it comes (a
  // cut near the end may outlast the stream).
  int expected = daemons_;
  for (const HealCapture& c : options_.captures) expected += static_cast<int>(c.cuts.size());
  REQUIRE(WaitUntil(
      [&] {
        return CountInLog(sim_log(), "stream ended") > 0 &&
               (!any_cel || CountInLog(sim_log(), "CEL: all ") > 0) &&
               CountInLog(sim_log(), "subscribed to app") >= expected;
      },
      kStreamTimeout, "ari-sim's stream and its CEL lines to end, every connection made"));
  if (options_.cel_file) {
    // One window per connection, each logged once it is in the queue.
    REQUIRE(WaitUntil(
        [&] {
          const int connections = CountInLog(daemon_log(), "Connected to Asterisk ARI WebSocket");
          const int windows = CountInLog(daemon_log(), "CEL: recorded ") +
                              CountInLog(daemon_log(), "could not be read whole");
          return connections > 0 && windows >= connections;
        },
        kStepTimeout, "the daemon to record the CEL window of every connection"));
  }
  auto store = pg::PgCallLogStore::Open(db_.dsn());
  REQUIRE(store.ok());
  CHECK(WaitUntil(
      [&] {
        auto cp = (*store)->Checkpoint(options_.node);
        const std::uint64_t head = DaemonLedgerHead(http_);
        return cp.ok() && head > 0 && cp->value == head;
      },
      kStepTimeout, "PostgreSQL to catch up with the ledger"));
  const int code = daemon_->Stop(SIGTERM);
  daemon_.reset();
  INFO(ReadFile(daemon_log()));
  CHECK(code == 0);

  // The chain, as an auditor checks it.
  Child verify({LEDGER_AUDIT_PATH, "--ledger", (*dir_ / "ledger").string(), "verify"}, {},
               *dir_ / "verify.out", *dir_ / "verify.err");
  CHECK(verify.Stop(0) == 0);
  CHECK_THAT(ReadFile(*dir_ / "verify.out"), Catch::Contains("chain intact"));
  auto ledger = OpenLedger(*dir_);
  records_.clear();
  REQUIRE(ledger
              ->ScanEncoded(Seq{1}, Seq{UINT64_MAX},
                            [&](Seq, std::string_view bytes) {
                              auto r = DecodeRecord(bytes);
                              REQUIRE(r.ok());
                              records_.push_back(std::move(*r));
                              return true;
                            })
              .ok());
  auto cp = (*store)->Checkpoint(options_.node);
  REQUIRE(cp.ok());
  REQUIRE(cp->value == ledger->Head().seq.value);

  const std::string log = ReadFile(sim_log());
  const std::regex restamped(
      "restamped capture ([0-9]+) \\([^)]*\\): every time moved by ([-+][0-9]+) ms");
  shifts_.clear();
  for (std::sregex_iterator it(log.begin(), log.end(), restamped), end; it != end; ++it) {
    shifts_.push_back(std::stoll((*it)[2]) * 1000);
  }
  REQUIRE(shifts_.size() == options_.captures.size());
}

std::size_t HealRun::CaptureOf(const CallRow& row) const {
  const std::string id = "\"id\":\"" + row.channel_id + "\"";
  for (std::size_t j = 0; j < frames_.size(); ++j) {
    for (const auto& frame : frames_[j]) {
      if (frame.find(id) != std::string::npos) return j;
    }
  }
  FAIL("no capture has channel " << row.channel_id);
  return 0;
}

std::vector<CallRow> HealRun::StoredRows() const {
  auto store = pg::PgCallLogStore::Open(db_.dsn());
  REQUIRE(store.ok());
  auto rows = (*store)->AllRows(options_.node);
  REQUIRE(rows.ok());
  return *rows;
}

std::vector<CallRow> HealRun::Rows() const {
  std::vector<CallRow> rows = StoredRows();
  for (CallRow& r : rows) {
    const std::int64_t shift = shifts_.at(CaptureOf(r));
    for (std::int64_t* t : {&r.start_us, &r.answer_us, &r.end_us}) {
      if (*t != 0) *t -= shift;
    }
    for (AgentAttempt& leg : r.agents_tried) {
      if (leg.rung_us != 0) leg.rung_us -= shift;
    }
  }
  return rows;
}

std::vector<std::set<std::uint64_t>> HealRun::HiddenFrameNumbers() const {
  std::vector<const std::string*> recorded;
  for (const Record& r : records_) {
    if (r.kind == RecordKind::kAriEvent || r.kind == RecordKind::kMalformed) {
      recorded.push_back(&r.payload);
    }
  }
  // The ledger's frames are the stream's, in order, less the hidden ones.
  std::vector<std::set<std::uint64_t>> hidden(frames_.size());
  std::size_t next = 0;
  for (std::size_t j = 0; j < frames_.size(); ++j) {
    for (std::size_t i = 0; i < frames_[j].size(); ++i) {
      if (next < recorded.size() &&
          *recorded[next] == arisim::RestampFrame(frames_[j][i], shifts_.at(j))) {
        ++next;
      } else {
        hidden[j].insert(i + 1);
      }
    }
  }
  CHECK(next == recorded.size());  // every frame recorded is the stream's
  return hidden;
}

std::vector<std::string> HealRun::HiddenFrames() const {
  std::vector<std::string> out;
  const auto hidden = HiddenFrameNumbers();
  for (std::size_t j = 0; j < hidden.size(); ++j) {
    for (const std::uint64_t n : hidden[j]) out.push_back(frames_[j][n - 1]);
  }
  return out;
}

std::vector<CallRow> FoldRecords(const std::vector<Record>& records, const std::string& node) {
  store::MemoryEventLog log(node);
  std::vector<RecordDraft> drafts;
  for (const Record& r : records) {
    RecordDraft d;
    d.kind = r.kind;
    d.received_at_us = r.received_at_us;
    d.asterisk_id = r.asterisk_id;
    d.application = r.application;
    d.event_type = r.event_type;
    d.event_time_us = r.event_time_us;
    d.channel_ids = r.channel_ids;
    d.bridge_ids = r.bridge_ids;
    d.call_ids = r.call_ids;
    d.payload = r.payload;
    d.payload_size = r.payload_size;
    d.reason = r.reason;
    drafts.push_back(std::move(d));
  }
  if (!drafts.empty()) REQUIRE(log.Append(drafts).ok());
  auto folded = replay::FoldLedger(log, log.Head().seq, {});
  REQUIRE(folded.ok());
  return folded->rows;
}

std::vector<std::string> Disagreements(const HealRun& run,
                                       const std::vector<replay::RowText>& uncut) {
  replay::AgreementOptions options;
  const std::vector<std::string> hidden = run.HiddenFrames();
  options.hidden_recordings = replay::RecordingsStartedIn(hidden, kRecordingsDir);
  options.hidden_hangups = replay::HangupsHiddenIn(hidden);
  return replay::CompareRows(uncut, replay::TextOf(run.Rows()), options);
}

}  // namespace callledger::testing
