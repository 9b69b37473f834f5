// End to end, issue 12's healing: for every scenario of fixtures/asterisk-cel,
// real ari-sim plays the capture as a PBX would, cut where
// fixtures/expected/cuts/CUTS says (a whole call, an answer, an end, a
// recording start...), writing Asterisk's CEL lines as their time comes;
// real call-ledgerd records it with CEL_FILE into a real PostgreSQL. The rows
// must be those of the uncut capture by the agreement rule
// (replay/row_agreement.h), and the chain must verify. So too when the
// daemon is SIGKILLed mid-stream for three seconds and restarted.
//
// heal_runs.h says how a run is set up and why. These tests need the
// projector's CEL healing (projector version 4): before it, the cut rows
// keep the reconcile's estimates and disagree.
#include <catch2/catch.hpp>

#include <algorithm>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cel_files.h"
#include "cut_cases.h"
#include "daemon_http.h"
#include "heal_runs.h"
#include "payload/cel.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/wait.h"

namespace callledger {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::CutCase;
using testing::HealCapture;
using testing::HealRun;
using testing::HealRunOptions;
using testing::TestDatabase;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// The CUTS cases of `kind` ("observer", "call-center") whose scenario is in
// `scenarios` (all when empty), in CUTS order.
std::vector<CutCase> Cases(const std::string& kind, const std::set<std::string>& scenarios) {
  std::vector<CutCase> out;
  for (CutCase& c : testing::CutCases()) {
    const std::string file = c.stream.filename().string();
    const std::string scenario = file.substr(0, file.find('.'));
    if (file != scenario + "." + kind + ".jsonl") continue;
    if (!scenarios.empty() && scenarios.count(scenario) == 0) continue;
    // A restart's rows are not the uncut rows (its calls die with the old
    // Asterisk): its own test below. A kill of the daemon is the simulation's
    // alone (ari-sim cuts connections; the chaos campaign kills daemons).
    const bool own_test = std::any_of(c.cuts.begin(), c.cuts.end(), [](const replay::Cut& cut) {
      return cut.kind == replay::CutKind::kRestart || cut.kind == replay::CutKind::kKill;
    });
    if (own_test) continue;
    out.push_back(std::move(c));
  }
  return out;
}

HealRunOptions Options(const std::string& node, const std::vector<CutCase>& cases) {
  HealRunOptions o;
  o.node = node;
  for (const CutCase& c : cases) o.captures.push_back(HealCapture{c.stream, c.cel, c.cuts});
  return o;
}

// What the run must have done before its rows can be judged: a gap per
// connection (the start, one per cut and one per restart), every cut's
// frames missing from the ledger, and for every gap its CEL window
// recorded after its reconcile, holding lines for every gap after the
// first.
void CheckRunShape(const HealRun& run, std::size_t restarts) {
  const auto& records = run.Records();
  std::size_t cuts = 0;
  const auto hidden = run.HiddenFrameNumbers();
  std::size_t missing = 0;
  for (std::size_t j = 0; j < hidden.size(); ++j) {
    const HealCapture& c = run.options().captures[j];
    missing += hidden[j].size();
    for (const replay::Cut& cut : c.cuts) {
      ++cuts;
      for (std::uint64_t n = cut.after_frame + 1; n <= cut.after_frame + cut.gap; ++n) {
        INFO(c.stream.filename().string() << " frame " << n);
        CHECK(hidden[j].count(n) == 1);
      }
    }
  }
  INFO("frames missing from the ledger: " << missing);
  std::vector<std::size_t> gaps;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].kind == RecordKind::kGap) gaps.push_back(i);
  }
  CHECK(gaps.size() == cuts + restarts + 1);
  for (std::size_t g = 0; g < gaps.size(); ++g) {
    INFO("gap " << g << " at record " << gaps[g] + 1);
    // Its reconcile closes the window; the window's records come after it
    // (not always before the next gap: they wait for Asterisk's lines).
    std::size_t reconcile = gaps[g] + 1;
    while (reconcile < records.size() && records[reconcile].kind != RecordKind::kReconcile) {
      ++reconcile;
    }
    REQUIRE(reconcile < records.size());
    std::uint64_t lines = 0;
    bool last_part = false;
    for (std::size_t i = reconcile + 1; i < records.size(); ++i) {
      if (records[i].kind != RecordKind::kCel) continue;
      auto p = payload::ParseCel(records[i].payload);
      REQUIRE(p.ok());
      if (p->until_us != records[reconcile].event_time_us) continue;
      lines += p->lines.size();
      last_part |= p->last_part;
    }
    CHECK(last_part);
    if (g > 0) CHECK(lines > 0);
  }
}

void CheckAgreement(const HealRun& run, const std::vector<replay::RowText>& uncut,
                    std::size_t restarts = 0) {
  CheckRunShape(run, restarts);
  const std::vector<std::string> disagreements = testing::Disagreements(run, uncut);
  INFO(disagreements.size() << " disagreement(s) with the uncut rows");
  CHECK(Joined(disagreements) == "");
}

std::vector<replay::RowText> UncutOf(const std::vector<CutCase>& cases, const std::string& node) {
  std::vector<replay::RowText> rows;
  for (const CutCase& c : cases) {
    const auto some = testing::UncutRows(c.stream, node);
    rows.insert(rows.end(), some.begin(), some.end());
  }
  return rows;
}

void RunCases(const std::vector<CutCase>& cases, const std::string& node) {
  REQUIRE(!cases.empty());
  for (const CutCase& c : cases) UNSCOPED_INFO(c.name << ":" << c.comment);
  TestDatabase db;
  HealRun run(db, Options(node, cases));
  run.Settle();
  CheckAgreement(run, UncutOf(cases, node));
}

TEST_CASE("healed from CEL through real processes: observer cuts of scenarios a to f") {
  const auto cases =
      Cases("observer", {"a-inbound-answered", "a2-inbound-answered-uuidfn", "b-inbound-abandoned",
                         "c-outbound-answered", "c2-outbound-answered-uuidfn", "d-outbound-busy",
                         "e-outbound-noanswer", "f-inbound-recorded-ari"});
  CHECK(cases.size() == 8);
  RunCases(cases, "pbx-heal-af");
}

// The cases whose name ends in `suffix`, and those that do not.
std::vector<CutCase> Named(std::vector<CutCase> cases, const std::string& suffix, bool keep) {
  std::erase_if(cases, [&](const CutCase& c) { return c.name.ends_with(suffix) != keep; });
  return cases;
}

TEST_CASE("healed from CEL through real processes: observer cuts of scenarios f2 to k6") {
  // A run plays each capture once (its calls' ids are the capture's): the
  // second k3 case, only the ChannelDestroyed hidden, has a run of its own.
  const auto cases =
      Named(Cases("observer", {"f2-inbound-recorded-mixmonitor", "h-inbound-utf8-callername",
                               "k1-transfer-hold-dtmf", "k2-agent-hunt", "k3-agent-hangs-up-first",
                               "k4-outbound-congestion", "k5-app-hangup",
                               "k6-caller-hangs-up-during-transfer"}),
            ".destroyed", false);
  CHECK(cases.size() == 8);
  RunCases(cases, "pbx-heal-fk");
}

TEST_CASE("healed from CEL through real processes: only the call's ChannelDestroyed hidden (k3)") {
  const auto cases = Named(Cases("observer", {"k3-agent-hangs-up-first"}), ".destroyed", true);
  CHECK(cases.size() == 1);
  RunCases(cases, "pbx-heal-k3d");
}

TEST_CASE("healed from CEL through real processes: p-burst-80 cut three times under overload") {
  RunCases(Cases("observer", {"p-burst-80"}), "pbx-heal-p");
}

TEST_CASE("healed from CEL through real processes: the application's stream, three cuts") {
  const auto cases = Cases("call-center", {});
  CHECK(cases.size() == 3);
  RunCases(cases, "pbx-heal-app");
}

// q-observer-gap's observer capture lost 3 s without a gap record, so its
// own golden rows are not the calls. The call-center stream saw every call;
// for these inbound calls the observer's rows are the application's but for
// the hangup cause, which the observer reads in ChannelDestroyed (the
// application's soft hangups carry none): the cause of the call channel's
// CEL HANGUP, which ChannelDestroyed equals on every other capture.
std::vector<replay::RowText> QObserverUncut(const std::string& node) {
  std::map<std::string, std::int64_t> cause;
  for (const auto& line : testing::CelLines("q-observer-gap")) {
    const json::value v = json::parse(line);
    if (v.at("eventtype").as_string() != "HANGUP") continue;
    const json::value extra = json::parse(v.at("eventextra").as_string());
    cause[std::string(v.at("uniqueid").as_string())] = extra.at("hangupcause").as_int64();
  }
  const std::map<std::int64_t, std::string> text = {{16, "Normal Clearing"},
                                                    {19, "User alerting, no answer"}};
  auto rows = testing::UncutRows(testing::CelFixture("q-observer-gap.call-center.jsonl"), node);
  REQUIRE(rows.size() == 12);
  for (auto& row : rows) {
    std::string channel;
    for (const auto& [column, value] : row) {
      if (column == "channel_id") channel = value;
    }
    REQUIRE(cause.count(channel) == 1);
    for (auto& [column, value] : row) {
      if (column == "hangup_cause") value = std::to_string(cause.at(channel));
      if (column == "hangup_cause_txt") value = text.at(cause.at(channel));
    }
  }
  return rows;
}

TEST_CASE("healed from CEL through real processes: q-observer-gap's own 3 s gap") {
  const auto cases = Cases("observer", {"q-observer-gap"});
  REQUIRE(cases.size() == 1);
  TestDatabase db;
  HealRun run(db, Options("pbx-heal-q", cases));
  run.Settle();
  CheckAgreement(run, QObserverUncut("pbx-heal-q"));
}

// The eventtime of the last complete line of the CEL log (0 while none).
std::int64_t LastCelTime(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return 0;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 8192);
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  const std::size_t end = tail.rfind('\n');
  if (end == std::string::npos) return 0;
  const std::size_t begin = tail.rfind('\n', end == 0 ? 0 : end - 1);
  if (begin == std::string::npos) return 0;
  return testing::CelTime(tail.substr(begin + 1, end - begin - 1));
}

std::int64_t WallUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_CASE("healed from CEL through real processes: the daemon SIGKILLed for 3 s of p-burst-80") {
  const auto stream = testing::CelFixture("p-burst-80.observer.jsonl");
  const std::size_t frames = testing::CaptureFrames(stream).size();
  TestDatabase db;
  HealRunOptions o;
  o.node = "pbx-heal-kill";
  o.captures = {HealCapture{stream, testing::CelFixture("p-burst-80.cel.jsonl"), {}}};
  HealRun run(db, o);
  // Killed with about a third of the burst in its ledger, while calls ring,
  // answer and end; the stream goes on (--realtime) for 3 s of its own time,
  // which ari-sim's CEL log shows, before a new daemon opens the same ledger.
  REQUIRE(
      testing::WaitUntil([&] { return testing::DaemonLedgerHead(run.daemon_http()) >= frames / 3; },
                         30s, "a third of p-burst-80 in the ledger"));
  run.KillDaemon();
  const std::int64_t killed_at = WallUs();
  REQUIRE(testing::WaitUntil([&] { return LastCelTime(run.cel_path()) >= killed_at + 3'000'000; },
                             30s, "3 s of the stream to pass with the daemon dead"));
  run.StartDaemon();
  run.Settle();
  CHECK(run.HiddenFrames().size() > 100);
  CheckAgreement(run, testing::UncutRows(stream, o.node), 1);
}

// A restarted Asterisk (ari-sim --restart-at: the old process's channels
// gone, a new startup time in /ari/asterisk/info): the calls live before it
// end where the old process was last heard, marked, never at the reconcile;
// calls of the new process are whole. The daemon's rows are the in-memory
// run's (fixtures/expected/cuts/q-observer-gap.call-center.restart).
TEST_CASE("a PBX restart through real processes: live calls end at the last event heard, marked") {
  const auto stream = testing::CelFixture("q-observer-gap.call-center.jsonl");
  TestDatabase db;
  HealRunOptions o;
  o.node = "pbx-restart";
  o.captures = {HealCapture{stream, testing::CelFixture("q-observer-gap.cel.jsonl"), {}}};
  o.sim_args = {"--restart-at", "124"};
  HealRun run(db, o);
  run.Settle();

  const std::vector<CallRow> rows = run.Rows();
  int restarted = 0;
  for (const CallRow& row : rows) {
    INFO(row.call_id);
    CHECK(row.status == CallStatus::kFinished);
    if (row.end_reason != EndReason::kPbxRestart) continue;
    ++restarted;
    CHECK(row.end_estimated);
    // Frame 124, the old process's last word: 16:48:05.172 +0500.
    CHECK(row.end_us == 1796644085172000);
  }
  CHECK(restarted == 7);  // q01-q07
  const auto golden = testing::SourceDir() / "fixtures" / "expected" / "cuts" /
                      "q-observer-gap.call-center.restart.rows.json";
  auto expected = replay::RowTextsFromJson(testing::ReadFile(golden));
  REQUIRE(expected.ok());
  for (auto& row : *expected) {
    for (auto& [column, value] : row) {
      if (column == "node") value = o.node;
    }
  }
  const auto disagreements = replay::CompareRows(*expected, replay::TextOf(rows));
  INFO(Joined(disagreements));
  CHECK(disagreements.empty());
}

}  // namespace
}  // namespace callledger
