// `ledger-replay fixture` with cuts and CEL, the real binary: bad cuts and
// inputs exit 2 with a message naming the problem; --records prints the
// simulated records, which `fixture` replays to the same rows; --expect
// --update keeps a cut run's rows; --agree-with judges them by the agreement
// rule of cut runs.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cut_runs.h"
#include "support/fixtures.h"
#include "support/processes.h"
#include "support/temp_dir.h"

namespace callledger::testing {
namespace {

struct Ran {
  int status = -1;
  std::string out;
  std::string err;
};

Ran Fixture(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {LEDGER_REPLAY_PATH, "fixture"});
  Ran ran;
  {
    Child child(args, {}, dir / "out", dir / "err");
    ran.status = child.Stop(0);
  }
  ran.out = ReadFile(dir / "out");
  ran.err = ReadFile(dir / "err");
  return ran;
}

// Capture b, whose 62 frames end with the call's end.
std::string Stream() { return CelFixture("b-inbound-abandoned.observer.jsonl").string(); }
std::string Cel() { return CelLog("b-inbound-abandoned").string(); }

TEST_CASE("ledger-replay fixture: bad cuts and inputs exit 2, saying what is wrong") {
  TempDir dir;
  const auto refused = [&](std::vector<std::string> args, const std::string& says) {
    INFO(says);
    const Ran ran = Fixture(dir, std::move(args));
    CHECK(ran.status == 2);
    CHECK(ran.out.empty());
    CHECK(ran.err.find(says) != std::string::npos);
  };
  refused({Stream(), "--drop-at", "63", "--gap", "0"}, "the capture has only 62 frames");
  refused({Stream(), "--drop-at", "60", "--gap", "5"}, "the gap runs past the last frame (62)");
  refused({Stream(), "--drop-at", "10", "--gap", "5", "--drop-at", "12", "--gap", "1"},
          "must come after the previous cut and its gap (frame 15)");
  refused({Stream(), "--drop-at", "10", "--drop-at", "20", "--gap", "1"},
          "give one --gap per --drop-at");
  refused({Stream(), "--cel", (dir / "missing.jsonl").string()}, "missing.jsonl");
  refused({Stream(), "--asterisk-info", Cel()}, "--asterisk-info needs --drop-at or --cel");
  refused({(RecordedDir() / "b-abandoned-ends-in-gap.observer.jsonl").string(), "--drop-at", "3"},
          "is a daemon record");
}

TEST_CASE("ledger-replay fixture --restart-at: checked arguments, and the new Asterisk's gap") {
  TempDir dir;
  const std::string info = CelFixture("a-inbound-answered.api-asterisk-info.json").string();
  const auto refused = [&](std::vector<std::string> args, const std::string& says) {
    INFO(says);
    const Ran ran = Fixture(dir, std::move(args));
    CHECK(ran.status == 2);
    CHECK(ran.out.empty());
    CHECK(ran.err.find(says) != std::string::npos);
  };
  refused({Stream(), "--restart-at", "20"}, "--restart-at needs --asterisk-info FILE");
  refused({Stream(), "--restart-down-ms", "20", "--drop-at", "3", "--asterisk-info", info},
          "--restart-down-ms needs --restart-at");
  refused({Stream(), "--restart-at", "20", "--restart-at", "30", "--restart-down-ms", "1",
           "--restart-down-ms", "2", "--restart-down-ms", "3", "--asterisk-info", info},
          "give one --restart-down-ms for every restart, or one per --restart-at");
  refused({Stream(), "--restart-at", "20", "--drop-at", "20", "--asterisk-info", info},
          "must come after the previous cut and its gap");
  WriteFile(dir / "array.json", "[\"not an object\"]");
  refused({Stream(), "--restart-at", "20", "--asterisk-info", (dir / "array.json").string()},
          "the Asterisk info is not a JSON object");

  // The capture's call is live at frame 20: the restart's gap says the
  // Asterisk that answers after it started 250 ms after frame 20, and the
  // call's end is the reconnection's estimate, never heard.
  const Ran records = Fixture(dir, {Stream(), "--restart-at", "20", "--restart-down-ms", "250",
                                    "--asterisk-info", info, "--records"});
  REQUIRE(records.status == 0);
  WriteFile(dir / "records.jsonl", records.out);
  std::vector<std::string> gaps;
  for (const auto& line : ReadLines(dir / "records.jsonl")) {
    if (line.find("\"kind\":\"gap\"") != std::string::npos) gaps.push_back(line);
  }
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[0].find("\"startup_time\":\"2026-12-07T16:44:03.340+0500\"") != std::string::npos);
  CHECK(gaps[1].find("\"startup_time\":\"2026-12-07T16:45:11.548+0500\"") != std::string::npos);
  CHECK(gaps[1].find("\"entity_id\":\"02:fc:00:00:00:01\"") != std::string::npos);
  const Ran rows = Fixture(
      dir, {Stream(), "--restart-at", "20", "--restart-down-ms", "250", "--asterisk-info", info});
  REQUIRE(rows.status == 0);
  CHECK(rows.out.find("\"end_estimated\":true") != std::string::npos);
}

TEST_CASE("ledger-replay fixture --records: the simulated records, which replay to the same rows") {
  TempDir dir;
  const std::vector<std::string> cut = {Stream(), "--drop-at", "47", "--gap", "15", "--cel", Cel()};
  std::vector<std::string> records_args = cut;
  records_args.push_back("--records");
  const Ran records = Fixture(dir, records_args);
  REQUIRE(records.status == 0);
  WriteFile(dir / "records.jsonl", records.out);
  // 47 frames and seven daemon records: note, then gap, reconcile and cel twice.
  const auto lines = ReadLines(dir / "records.jsonl");
  int daemon_records = 0;
  for (const auto& line : lines) {
    daemon_records += line.starts_with("{\"call_ledger_record\":") ? 1 : 0;
  }
  CHECK(daemon_records == 7);
  CHECK(lines.size() == 47 + 7);

  std::vector<std::string> rows_args = cut;
  const Ran simulated = Fixture(dir, rows_args);
  REQUIRE(simulated.status == 0);
  const Ran replayed = Fixture(dir, {(dir / "records.jsonl").string()});
  REQUIRE(replayed.status == 0);
  CHECK(replayed.out == simulated.out);
  // The end the cut hid is healed from the CEL lines, in both.
  CHECK(simulated.out.find("\"evidence\":\"cel\"") != std::string::npos);
  CHECK(simulated.out.find("\"end_estimated\":true") == std::string::npos);
}

TEST_CASE("ledger-replay fixture --expect --update keeps a cut run's rows") {
  TempDir dir;
  const std::string rows = (dir / "rows.json").string();
  const std::vector<std::string> cut = {Stream(), "--drop-at", "47",       "--gap", "15",
                                        "--cel",  Cel(),       "--expect", rows};
  std::vector<std::string> update = cut;
  update.push_back("--update");
  const Ran written = Fixture(dir, update);
  REQUIRE(written.status == 0);
  CHECK(written.out.find("wrote 1 rows into the new file") != std::string::npos);
  const Ran compared = Fixture(dir, cut);
  CHECK(compared.status == 0);
  CHECK(compared.out.find("1 rows match") != std::string::npos);
  // The same capture without the cut does not match them.
  const Ran uncut = Fixture(dir, {Stream(), "--expect", rows});
  CHECK(uncut.status == 1);
}

std::string Uncut(const std::string& stream) {
  return (SourceDir() / "fixtures" / "expected" / "cel" / (stream + ".rows.json")).string();
}

TEST_CASE("ledger-replay fixture --agree-with: a cut run against the uncut rows, by the rule") {
  TempDir dir;
  // The cut hides both RecordingStarted of f's ARI recording: its file may
  // be missing from the row (CEL never names it), nothing else differs.
  const std::vector<std::string> f_cut = {
      CelFixture("f-inbound-recorded-ari.observer.jsonl").string(),
      "--drop-at",
      "70",
      "--gap",
      "2",
      "--cel",
      CelLog("f-inbound-recorded-ari").string(),
      "--agree-with",
      Uncut("f-inbound-recorded-ari.observer")};
  const Ran agree = Fixture(dir, f_cut);
  CHECK(agree.status == 0);
  CHECK(agree.out.find("1 rows agree with") != std::string::npos);
  // The file is named as the projector names it: in recordings_dir.
  std::vector<std::string> elsewhere = f_cut;
  elsewhere.insert(elsewhere.end(), {"--option", "recordings_dir=/elsewhere"});
  const Ran moved = Fixture(dir, elsewhere);
  CHECK(moved.status == 1);
  CHECK(moved.out.find("recording_path: uncut /var/spool/asterisk/recording/1796643960.33.wav, "
                       "cut null (NULL, and the cut did not hide that recording's start)") !=
        std::string::npos);

  // An answer hidden with no CEL to heal it: the reconnect's estimate, on
  // an 'ari' row, one line.
  const Ran answer =
      Fixture(dir, {CelFixture("a-inbound-answered.observer.jsonl").string(), "--drop-at", "53",
                    "--gap", "12", "--agree-with", Uncut("a-inbound-answered.observer")});
  CHECK(answer.status == 1);
  CHECK(answer.out.find("1 disagreement(s) with") != std::string::npos);
  CHECK(answer.out.find("  call 1796643888.5: answer_time: uncut 2026-12-07T11:44:50.386Z, cut "
                        "2026-12-07T11:44:50.393Z (not equal on an 'ari' row)\n") !=
        std::string::npos);

  WriteFile(dir / "bad.json", "{}");
  const Ran bad = Fixture(dir, {Stream(), "--agree-with", (dir / "bad.json").string()});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("rows are not a JSON array") != std::string::npos);
}

}  // namespace
}  // namespace callledger::testing
