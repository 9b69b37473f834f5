// End to end, issue 12: bad CEL input through the real daemon and ari-sim.
// A missing file, a file rotated mid-run, a truncated last line, garbage
// lines, a line from another PBX, a file of 1 GB: each gets clear log lines
// and no crash, and no garbage changes a row. "No row changed" is checked
// against the same run without cel.file: the daemon's own ledger folded
// without its cel records (everything else in it is what the run would have
// recorded anyway), so the comparison is exact, reconcile estimates
// included. Runs are set up as heal_runs.h says, each with a cut that
// leaves a call for healing to touch (k5's end) unless said otherwise.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "ari-sim/restamp.h"
#include "cel_files.h"
#include "daemon_runs.h"
#include "heal_runs.h"
#include "payload/cel.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"
#include "support/processes.h"

namespace callledger {
namespace {

using testing::CountInLog;
using testing::HealCapture;
using testing::HealRun;
using testing::HealRunOptions;
using testing::TestDatabase;

std::int64_t WallUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string CelTimeText(std::int64_t us) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return text;
}

// A well-formed CEL line of a trunk channel that never enters Stasis:
// nothing a call's row could be healed from.
std::string TrunkLine(std::int64_t at_us, int n) {
  return R"({"eventtype":"CHAN_START","eventtime":")" + CelTimeText(at_us) +
         R"(","uniqueid":"trunk-)" + std::to_string(n) + R"(","linkedid":"trunk-)" +
         std::to_string(n) + R"(","channame":"PJSIP/trunk-0000ff0)" + std::to_string(n) +
         R"(","appname":"","appdata":"","name":"","num":"","exten":"s","context":"from-trunk",)"
         R"("peer":"","eventextra":"","userdeftype":"","amaflags":3,"accountcode":"",)"
         R"("peeraccount":"","userfield":""})";
}

// k5-app-hangup's observer stream cut where CUTS cuts it: frames 72-78,
// the application's hangup of the call and its ChannelDestroyed. Without
// CEL evidence the call ends at the reconcile, an estimate.
HealRunOptions K5EndCut(const std::string& node) {
  HealRunOptions o;
  o.node = node;
  o.captures = {HealCapture{testing::CelFixture("k5-app-hangup.observer.jsonl"), {}, {{71, 7}}}};
  return o;
}

std::vector<Record> WithoutCel(const std::vector<Record>& records) {
  std::vector<Record> out;
  for (const Record& r : records) {
    if (r.kind != RecordKind::kCel) out.push_back(r);
  }
  return out;
}

std::vector<payload::CelPayload> CelPayloads(const HealRun& run) {
  std::vector<payload::CelPayload> out;
  for (const Record& r : run.Records()) {
    if (r.kind != RecordKind::kCel) continue;
    auto p = payload::ParseCel(r.payload);
    REQUIRE(p.ok());
    out.push_back(std::move(*p));
  }
  return out;
}

// The run's rows are those of the same run without cel.file, and its cut
// call was left to the reconcile.
void CheckNoRowChanged(const HealRun& run) {
  const auto stored = run.StoredRows();
  CHECK(testing::Comparable(stored) ==
        testing::Comparable(testing::FoldRecords(WithoutCel(run.Records()), run.options().node)));
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].end_reason == EndReason::kGap);
  CHECK(stored[0].evidence == Evidence::kAri);
}

std::string AllNotes(const std::vector<payload::CelPayload>& cels) {
  std::string out;
  for (const auto& c : cels) {
    for (const auto& n : c.notes) out += n + "\n";
  }
  return out;
}

TEST_CASE("bad CEL input: a missing file is logged per window, recorded, and heals nothing") {
  TestDatabase db;
  HealRun run(db, K5EndCut("pbx-cel-missing"));
  run.Settle();
  const std::string log = testing::ReadFile(run.daemon_log());
  INFO(log);
  // Both windows (the start and the cut) say so, as errors.
  CHECK(CountInLog(run.daemon_log(), "could not be read whole (0 lines recorded)") == 2);
  CHECK(CountInLog(run.daemon_log(),
                   "cannot read " + run.cel_path().string() + ": No such file or directory") == 2);
  const auto cels = CelPayloads(run);
  REQUIRE(cels.size() == 2);
  for (const auto& c : cels) CHECK(c.lines.empty());
  CHECK_THAT(AllNotes(cels), Catch::Contains("no lines of it are in this window"));
  CheckNoRowChanged(run);
}

// k5's stream begins: the daemon's first connection is there. What the
// test appends now, stamped now, lies in the window of the cut that
// follows (from cel.margin_ms, 5 s, before the disconnect 1.05 s into the
// stream, to the reconcile after the gap); whether the first window (from
// the connection, less the margin, to its reconcile) takes it in too
// depends on when that window is read. `lines` gets the time.
void AppendOnceConnected(const HealRun& run,
                         const std::function<std::string(std::int64_t now_us)>& lines) {
  REQUIRE(testing::WaitForLog(run.sim_log(), "subscribed to app"));
  testing::AppendFile(run.cel_path(), lines(WallUs()));
}

HealRunOptions K5WithEmptyLog(const std::string& node) {
  HealRunOptions o = K5EndCut(node);
  o.prepare_cel = [](const std::filesystem::path& cel) { testing::WriteFile(cel, ""); };
  return o;
}

TEST_CASE("bad CEL input: garbage lines are kept as bad lines and change no row") {
  TestDatabase db;
  HealRun run(db, K5WithEmptyLog("pbx-cel-garbage"));
  const std::string binary("\x00\xff\xfe{\x01\"", 6);
  AppendOnceConnected(run, [&](std::int64_t now) {
    return TrunkLine(now, 1) + "\n" + "this is not JSON\n" + binary + "\n" +
           std::string(100 * 1024, 'x') + "\n" + TrunkLine(now + 1000, 2) + "\n";
  });
  run.Settle();
  INFO(testing::ReadFile(run.daemon_log()));
  // Warned about, and kept with the cut's window, which holds the two
  // trunk lines around them.
  CHECK(CountInLog(run.daemon_log(),
                   "CEL: recorded 2 lines and 3 bad lines of " + run.cel_path().string()) >= 1);
  const auto cels = CelPayloads(run);
  REQUIRE(cels.size() == 2);
  const payload::CelPayload& cut = cels.back();
  CHECK(cut.lines.size() == 2);
  REQUIRE(cut.bad_lines.size() == 3);
  CHECK(cut.bad_lines[0].bytes == "this is not JSON");
  CHECK(cut.bad_lines[1].bytes == binary);
  CHECK(cut.bad_lines[2].bytes.size() == 16 * 1024);  // its first 16 KiB
  CHECK_THAT(cut.bad_lines[2].why, Catch::StartsWith("longer than 16384 bytes"));
  CHECK_THAT(AllNotes({cut}), Catch::Contains("3 lines of " + run.cel_path().string() +
                                              " in the window are not CEL lines"));
  CheckNoRowChanged(run);
}

TEST_CASE("bad CEL input: a truncated last line is left for a later window") {
  TestDatabase db;
  HealRun run(db, K5WithEmptyLog("pbx-cel-truncated"));
  const std::string line = testing::CelLines("k5-app-hangup").front();
  std::string trunk;
  AppendOnceConnected(run, [&](std::int64_t now) {
    trunk = TrunkLine(now, 1);
    // Half a line, as Asterisk would leave it if it died writing it.
    const std::string half =
        testing::ShiftCelLine(line, now + 1000 - testing::CelTime(line)).substr(0, line.size() / 2);
    return trunk + "\n" + half;
  });
  run.Settle();
  INFO(testing::ReadFile(run.daemon_log()));
  CHECK(CountInLog(run.daemon_log(),
                   "are a line not yet ended by a line feed: left for a later window") >= 1);
  const auto cels = CelPayloads(run);
  REQUIRE(cels.size() == 2);
  const payload::CelPayload& cut = cels.back();
  REQUIRE(cut.lines.size() == 1);
  CHECK(cut.lines[0].text() == trunk);
  CHECK(cut.bad_lines.empty());
  CHECK_THAT(AllNotes({cut}), Catch::Contains("not yet ended by a line feed"));
  CheckNoRowChanged(run);
}

// A line of another Asterisk (its uniqueids carry its system name) for a
// call into the call app, stamped inside the cut's window: evidence of
// nothing this PBX did. Needs the projector's healing rule to hold: a
// healer that opened calls from any APP_START of Stasis would open one.
TEST_CASE("bad CEL input: a line from another PBX opens no row") {
  TestDatabase db;
  HealRun run(db, K5WithEmptyLog("pbx-cel-foreign"));
  AppendOnceConnected(run, [](std::int64_t now) {
    return R"({"eventtype":"APP_START","eventtime":")" + CelTimeText(now) +
           R"(","uniqueid":"otherpbx-1796643888.5","linkedid":"otherpbx-1796643888.4",)"
           R"("channame":"Local/712001122@from-external-00000002;2","appname":"Stasis",)"
           R"("appdata":"call-center,,kiruvchi,998901234567,712001122","name":"",)"
           R"("num":"998901234567","exten":"712001122","context":"from-external","peer":"",)"
           R"("eventextra":"","userdeftype":"","amaflags":3,"accountcode":"","peeraccount":"",)"
           R"("userfield":""})"
           "\n";
  });
  run.Settle();
  INFO(testing::ReadFile(run.daemon_log()));
  // Recorded with the cut's window, as evidence of what the file said.
  const auto cels = CelPayloads(run);
  REQUIRE(cels.size() == 2);
  REQUIRE(cels.back().lines.size() == 1);
  CHECK(cels.back().lines[0].text().find("otherpbx-1796643888.5") != std::string::npos);
  for (const CallRow& r : run.StoredRows()) {
    CHECK(r.channel_id.find("otherpbx") == std::string::npos);
    CHECK(r.call_id.find("otherpbx") == std::string::npos);
  }
  CheckNoRowChanged(run);
}

// a-inbound-answered's observer stream: frames 1-45 in its first 30 ms, 46-71
// two seconds later. A cut after frame 45 hides nothing (the PBX is back
// before frame 46), so healing has nothing to do: the rows are the uncut
// ones, and the reconnect's window is read across whatever the log did.
HealRunOptions QuietCut(const std::string& node) {
  HealRunOptions o;
  o.node = node;
  o.captures = {HealCapture{testing::CelFixture("a-inbound-answered.observer.jsonl"),
                            testing::CelFixture("a-inbound-answered.cel.jsonl"),
                            {{45, 0}}}};
  return o;
}

// The capture's CEL lines as ari-sim wrote them (moved by the run's shift)
// whose time lies in [since, until].
std::vector<std::string> WrittenLinesIn(const HealRun& run, std::int64_t since_us,
                                        std::int64_t until_us) {
  std::vector<std::string> out;
  for (const auto& line : testing::CelLines("a-inbound-answered")) {
    const std::string moved = arisim::RestampCelLine(line, run.shifts().at(0));
    const std::int64_t t = testing::CelTime(moved);
    if (t >= since_us && t <= until_us) out.push_back(moved);
  }
  return out;
}

void CheckUncutRows(const HealRun& run) {
  const auto lines = testing::Disagreements(
      run, testing::UncutRows(run.options().captures[0].stream, run.options().node));
  std::string joined;
  for (const auto& l : lines) joined += l + "\n";
  CHECK(joined == "");
}

TEST_CASE("bad CEL input: the log rotated mid-run, the window read from both files") {
  TestDatabase db;
  HealRunOptions o = QuietCut("pbx-cel-rotated");
  // After the 10th line, 10 ms into the stream: the reconnect's window
  // (from 5 s before the drop) begins in cel.jsonl.1.
  o.sim_args = {"--cel-rotate-at", "10"};
  HealRun run(db, o);
  run.Settle();
  INFO(testing::ReadFile(run.daemon_log()));
  CHECK(testing::ReadLines(run.cel_path().string() + ".1").size() == 10);
  // The reconnect's window in two records, one per file, the rotated one first.
  const auto cels = CelPayloads(run);
  REQUIRE(cels.size() == 3);
  const payload::CelPayload& rotated = cels[1];
  const payload::CelPayload& current = cels[2];
  CHECK(rotated.file == run.cel_path().string() + ".1");
  CHECK(current.file == run.cel_path().string());
  CHECK(rotated.since_us == current.since_us);
  CHECK(rotated.until_us == current.until_us);
  CHECK_FALSE(rotated.last_part);
  CHECK(current.last_part);
  CHECK_THAT(AllNotes({current}),
             Catch::Contains(": read the rotated predecessor " + run.cel_path().string() + ".1"));
  CHECK(CountInLog(run.daemon_log(), "read the rotated predecessor") == 1);
  std::vector<std::string> lines;
  for (const auto& l : rotated.lines) lines.push_back(l.text());
  CHECK(lines.size() == 10);
  for (const auto& l : current.lines) lines.push_back(l.text());
  CHECK(lines.size() > 10);
  CHECK(lines == WrittenLinesIn(run, current.since_us, current.until_us));
  CheckUncutRows(run);
}

// 1 GiB of old CEL lines (a day's worth and more of a busy PBX), then the
// capture's lines appended by ari-sim. The daemon finds each window by a
// binary search: it records exactly the window's lines and reads nothing
// else as lines; bounded, as the log and its counters show.
TEST_CASE("bad CEL input: a CEL log of 1 GB is read window by window") {
  TestDatabase db;
  HealRunOptions o = QuietCut("pbx-cel-huge");
  constexpr std::uint64_t kGiB = 1ull << 30;
  const std::string sample = testing::CelLines("a-inbound-answered")[3];
  o.prepare_cel = [&](const std::filesystem::path& cel) {
    std::ofstream out(cel, std::ios::binary);
    std::int64_t t = WallUs() - 3'600'000'000;  // an hour ago, and older
    const std::int64_t base = testing::CelTime(sample);
    std::string block;
    std::uint64_t written = 0;
    while (written < kGiB) {
      block.clear();
      while (block.size() < (4u << 20)) {
        block += testing::ShiftCelLine(sample, t - base);
        block += '\n';
        t += 1000;
      }
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
      written += block.size();
    }
    REQUIRE(t < WallUs() - 60'000'000);  // all of it well before the run
  };
  HealRun run(db, o);
  run.Settle();
  INFO(testing::ReadFile(run.daemon_log()));
  CHECK(std::filesystem::file_size(run.cel_path()) > kGiB);
  std::uint64_t recorded = 0;
  for (const auto& c : CelPayloads(run)) {
    std::vector<std::string> lines;
    for (const auto& l : c.lines) lines.push_back(l.text());
    CHECK(lines == WrittenLinesIn(run, c.since_us, c.until_us));
    CHECK(c.bad_lines.empty());
    recorded += lines.size();
  }
  CHECK(recorded > 0);
  CHECK(recorded < 100);
  CHECK(CountInLog(run.daemon_log(), "CEL: recorded ") == 2);
  CheckUncutRows(run);
  std::filesystem::remove(run.cel_path());
}

}  // namespace
}  // namespace callledger
