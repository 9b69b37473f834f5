// The agreement rule of cut runs (replay/row_agreement.h) on hand-built
// rows: each rule takes what it should and refuses one step past it.
#include "replay/row_agreement.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "projection/row_format.h"
#include "replay/cut_replay.h"
#include "support/call_rows.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::replay {
namespace {

constexpr std::int64_t kMs = 1000;

std::filesystem::path CelCaptures() { return testing::SourceDir() / "fixtures" / "asterisk-cel"; }
constexpr std::int64_t kStart = 1'796'643'888'353'000;  // 2026-12-07T11:44:48.353Z

// An answered, finished call: rings 2 s, talks 3 s.
CallRow Uncut(const std::string& id = "c1") {
  CallRow r = testing::Call("pbx", id, "kiruvchi", "998901234567", "712001122", kStart,
                            kStart + 2033 * kMs, kStart + 5036 * kMs);
  r.hangup_cause = 16;
  r.hangup_cause_txt = "Normal Clearing";
  r.end_reason = EndReason::kHangup;
  return r;
}

CallRow Healed(CallRow r) {
  r.evidence = Evidence::kCel;
  return r;
}

std::vector<std::string> Compare(const CallRow& uncut, const CallRow& cut,
                                 const AgreementOptions& options = {}) {
  return CompareRows(std::vector<CallRow>{uncut}, std::vector<CallRow>{cut}, options);
}

bool Agree(const CallRow& uncut, const CallRow& cut, const AgreementOptions& options = {}) {
  const auto lines = Compare(uncut, cut, options);
  for (const auto& line : lines) UNSCOPED_INFO(line);
  return lines.empty();
}

TEST_CASE("agreement: the same calls, each once; record positions are not compared") {
  CallRow moved = Uncut();
  moved.first_seq = Seq{40};
  moved.last_seq = Seq{90};
  CHECK(Agree(Uncut(), moved));

  const auto missing = CompareRows(std::vector<CallRow>{Uncut("c1"), Uncut("c2")},
                                   std::vector<CallRow>{Uncut("c1")});
  REQUIRE(missing.size() == 1);
  CHECK(missing[0] == "call c2: in the uncut run only");
  const auto extra = CompareRows(std::vector<CallRow>{Uncut("c1")},
                                 std::vector<CallRow>{Uncut("c1"), Uncut("c3")});
  REQUIRE(extra.size() == 1);
  CHECK(extra[0] == "call c3: in the cut run only");
  const auto twice = CompareRows(std::vector<CallRow>{Uncut("c1")},
                                 std::vector<CallRow>{Uncut("c1"), Uncut("c1")});
  REQUIRE(twice.size() == 1);
  CHECK(twice[0] == "call c1: more than one row in the cut run");
}

TEST_CASE("agreement: evidence is 'ari' uncut, 'ari' or 'cel' cut") {
  CHECK(Agree(Uncut(), Healed(Uncut())));
  const auto lines = Compare(Healed(Uncut()), Healed(Uncut()));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "call c1: evidence: uncut cel, cut cel (the uncut row must be 'ari')");
  // A value no projector writes, as text.
  RowText other = TextOf(Uncut());
  for (auto& [column, value] : other) {
    if (column == "evidence") value = "guess";
  }
  CHECK(CompareRows(TextOf(std::vector<CallRow>{Uncut()}), {other}).size() == 1);
}

TEST_CASE("agreement: a cut row lists the uncut legs, some perhaps missing or unknown") {
  const auto legs = [](std::vector<AgentAttempt> tried) {
    CallRow r = Uncut();
    r.agent = "103";
    r.agents_tried = std::move(tried);
    return r;
  };
  const AgentAttempt l101{"101", "ch.1", kStart + 10 * kMs, LegOutcome::kNoAnswer};
  const AgentAttempt l102{"102", "ch.2", kStart + 20 * kMs, LegOutcome::kBusy};
  const AgentAttempt l103{"103", "ch.3", kStart + 30 * kMs, LegOutcome::kAnswered};
  const CallRow uncut = legs({l101, l102, l103});
  CHECK(Agree(uncut, legs({l101, l102, l103})));
  // Rung and ended inside a gap: missing; its outcome hidden: unknown.
  CHECK(Agree(uncut, Healed(legs({l101, l103}))));
  CHECK(Agree(uncut, legs({})));
  AgentAttempt hidden = l102;
  hidden.outcome = LegOutcome::kUnknown;
  CHECK(Agree(uncut, legs({l101, hidden, l103})));
  // One step past: another outcome, another time, a leg out of order or unknown to the uncut run.
  AgentAttempt wrong = l102;
  wrong.outcome = LegOutcome::kNoAnswer;
  const auto outcome = Compare(uncut, legs({l101, wrong, l103}));
  REQUIRE(outcome.size() == 1);
  CHECK_THAT(outcome[0], Catch::StartsWith("call c1: agents_tried: uncut [{"));
  CHECK_THAT(outcome[0], Catch::EndsWith("(a leg's outcome differs)"));
  AgentAttempt later = l102;
  later.rung_us += kMs;
  CHECK_THAT(Compare(uncut, legs({l101, later})).at(0),
             Catch::EndsWith("(a leg's rung_at differs)"));
  CHECK_THAT(Compare(uncut, legs({l103, l101})).at(0),
             Catch::EndsWith("(a leg the uncut row does not list, or out of order)"));
  const AgentAttempt stranger{"104", "ch.4", kStart, LegOutcome::kBusy};
  CHECK_FALSE(Agree(uncut, legs({l101, stranger})));
  // The agent itself is exact.
  CallRow other_agent = uncut;
  other_agent.agent = "101";
  CHECK(Compare(uncut, other_agent).size() == 1);
}

TEST_CASE("agreement: on a cel row, answer and end within 100 ms; on an ari row, exact") {
  for (const char* column : {"answer_time", "end_time"}) {
    INFO(column);
    const auto moved = [&](std::int64_t by_ms) {
      CallRow r = Uncut();
      (std::string(column) == "answer_time" ? r.answer_us : r.end_us) += by_ms * kMs;
      return r;
    };
    CHECK(Agree(Uncut(), Healed(moved(100))));
    CHECK(Agree(Uncut(), Healed(moved(-100))));
    const auto late = Compare(Uncut(), Healed(moved(101)));
    REQUIRE(late.size() == 1);
    CHECK_THAT(late[0], Catch::StartsWith(std::string("call c1: ") + column + ": uncut "));
    CHECK_THAT(late[0], Catch::EndsWith("(more than 100 ms apart on a cel row)"));
    CHECK_FALSE(Agree(Uncut(), Healed(moved(-101))));
    const auto ari = Compare(Uncut(), moved(1));
    REQUIRE(ari.size() == 1);
    CHECK_THAT(ari[0], Catch::EndsWith("(not equal on an 'ari' row)"));
  }
  // NULL on one side only, on a cel row.
  CallRow unanswered = Healed(Uncut());
  unanswered.answer_us = 0;
  CHECK_THAT(Compare(Uncut(), unanswered),
             Catch::VectorContains(std::string(
                 "call c1: answer_time: uncut 2026-12-07T11:44:50.386Z, cut null (NULL on one "
                 "side only)")));
}

TEST_CASE("agreement: on a cel row, whole seconds within 1; on an ari row, exact") {
  for (auto field : {&CallRow::duration_s, &CallRow::ring_s, &CallRow::talk_s}) {
    const auto off = [&](std::int64_t by) {
      CallRow r = Uncut();
      *(r.*field) += by;
      return r;
    };
    CHECK(Agree(Uncut(), Healed(off(1))));
    CHECK(Agree(Uncut(), Healed(off(-1))));
    const auto two = Compare(Uncut(), Healed(off(2)));
    REQUIRE(two.size() == 1);
    CHECK_THAT(two[0], Catch::EndsWith("(more than 1 s apart on a cel row)"));
    CHECK_FALSE(Agree(Uncut(), Healed(off(-2))));
    CHECK_FALSE(Agree(Uncut(), off(1)));
    CallRow null = Healed(Uncut());
    (null.*field).reset();
    CHECK_FALSE(Agree(Uncut(), null));
  }
}

// A call opened from CEL starts at CHAN_START, which trails the channel's
// creationtime (the uncut start) under load: within 100 ms on cel rows
// only.
TEST_CASE("agreement: the start within 100 ms on a cel row, exact on an ari row") {
  CallRow start = Healed(Uncut());
  start.start_us += 82 * kMs;
  CHECK(Agree(Uncut(), start));
  start.start_us += 19 * kMs;
  const auto lines = Compare(Uncut(), start);
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines[0], Catch::Contains("start_time") && Catch::Contains("more than 100 ms apart"));
  CallRow ari = Uncut();
  ari.start_us += kMs;
  CHECK_FALSE(Agree(Uncut(), ari));
}

TEST_CASE("agreement: every other column is exact, on cel rows too") {
  CallRow cause = Healed(Uncut());
  cause.hangup_cause = 17;
  const auto lines = Compare(Uncut(), cause);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "call c1: hangup_cause: uncut 16, cut 17 (not equal)");
  CallRow reason = Healed(Uncut());
  reason.end_reason = EndReason::kGap;
  reason.end_estimated = true;
  CHECK(Compare(Uncut(), reason).size() == 2);
  CallRow node = Uncut();
  node.node = "other";
  CHECK_FALSE(Agree(Uncut(), node));
}

TEST_CASE("agreement: a recording is equal, or NULL where the cut hid its start") {
  CallRow recorded = Uncut();
  recorded.recording_path = "/var/spool/asterisk/recording/1796643960.33.wav";
  CallRow lost = recorded;
  lost.recording_path.clear();
  AgreementOptions hidden;
  hidden.hidden_recordings = {recorded.recording_path};
  CHECK(Agree(recorded, recorded));
  CHECK(Agree(recorded, lost, hidden));
  CHECK(Agree(recorded, Healed(lost), hidden));
  const auto lines = Compare(recorded, lost);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::EndsWith("(NULL, and the cut did not hide that recording's start)"));
  // Another file is never right, hidden or not.
  CallRow other = recorded;
  other.recording_path = "/var/spool/asterisk/recording/other.wav";
  CHECK_FALSE(Agree(recorded, other, hidden));
  // A row without a recording in the uncut run gets none in the cut run.
  CHECK_FALSE(Agree(lost, recorded, hidden));
}

TEST_CASE("agreement: rows read from JSON compare like the rows they were written from") {
  const std::vector<CallRow> rows = {Uncut("c1"), Uncut("c2")};
  auto read = RowTextsFromJson(projection::RowsToJson(rows));
  REQUIRE(read.ok());
  CHECK(*read == TextOf(rows));
  CHECK(CompareRows(*read, TextOf(rows)).empty());
  CHECK_FALSE(RowTextsFromJson("{}").ok());
  CHECK_FALSE(RowTextsFromJson("[{\"status\":\"yakunlandi\"}]").ok());
  CHECK_FALSE(RowTextsFromJson("[1]").ok());
}

TEST_CASE("agreement: the files of the ARI recordings a list of frames starts") {
  auto frames = ReadCaptureFrames(CelCaptures() / "f-inbound-recorded-ari.observer.jsonl");
  REQUIRE(frames.ok());
  CHECK(RecordingsStartedIn(*frames, "/var/spool/asterisk/recording") ==
        std::set<std::string>{"/var/spool/asterisk/recording/1796643960.33.wav"});
  CHECK(RecordingsStartedIn(*frames, "/rec/") == std::set<std::string>{"/rec/1796643960.33.wav"});
  // MixMonitor files are channel variables, not ARI recordings.
  auto mixmonitor =
      ReadCaptureFrames(CelCaptures() / "f2-inbound-recorded-mixmonitor.observer.jsonl");
  REQUIRE(mixmonitor.ok());
  CHECK(RecordingsStartedIn(*mixmonitor, "/var/spool/asterisk/recording").empty());
  CHECK(RecordingsStartedIn({"not json", "{\"type\":\"RecordingStarted\"}"}, "/r").empty());
}

TEST_CASE(
    "agreement: an ari row whose hang-up the cut hid may end within 100 ms, no answer moves") {
  REQUIRE_FALSE(Uncut().channel_id.empty());
  CallRow late = Uncut();
  late.end_us += 11 * kMs;
  late.duration_s = 6;
  AgreementOptions hidden;
  hidden.hidden_hangups = {Uncut().channel_id};
  CHECK(Agree(Uncut(), late, hidden));
  CHECK_FALSE(Agree(Uncut(), late));  // without its hang-up hidden: exact
  late.end_us = Uncut().end_us + 101 * kMs;
  CHECK_FALSE(Agree(Uncut(), late, hidden));
  CallRow answered_late = Uncut();
  answered_late.answer_us += 5 * kMs;
  CHECK_FALSE(Agree(Uncut(), answered_late, hidden));
  AgreementOptions other;
  other.hidden_hangups = {"another-channel"};
  CHECK(Agree(Uncut(), Healed(Uncut()), other));
  late.end_us = Uncut().end_us + 11 * kMs;
  CHECK_FALSE(Agree(Uncut(), late, other));
}

TEST_CASE("agreement: the channels whose hangup request or StasisEnd a list of frames holds") {
  auto frames = ReadCaptureFrames(CelCaptures() / "a-inbound-answered.call-center.jsonl");
  REQUIRE(frames.ok());
  const std::set<std::string> all = HangupsHiddenIn(*frames);
  CHECK(all.count("1796643888.5") == 1);              // the call channel
  CHECK(HangupsHiddenIn({frames->front()}).empty());  // its StasisStart
  CHECK(HangupsHiddenIn({"not json", "{\"type\":\"StasisEnd\"}"}).empty());
}

TEST_CASE("agreement: the frames a ledger's export lacks of what the PBX sent") {
  testing::TempDir dir("frames-not-held");
  const auto file = dir / "export.jsonl";
  {
    std::ofstream out(file, std::ios::binary);
    out << R"({"call_ledger_record":{"kind":"gap","event_time_us":1,"received_at_us":1,)"
           R"("reason":"connected to ARI after: daemon started","payload":{}}})"
        << "\n"
        << R"({"type":"A"})"
        << "\n\n"
        << R"({"type":"C"})"
        << "\n";
  }
  auto held = ReadFixtureFrames(file.string());
  REQUIRE(held.ok());
  CHECK(*held == std::vector<std::string>{R"({"type":"A"})", R"({"type":"C"})"});
  CHECK_FALSE(ReadFixtureFrames((dir / "none.jsonl").string()).ok());

  // What was sent more often than held counts as often; order is the sent one.
  const std::vector<std::string> sent = {R"({"type":"A"})", R"({"type":"B"})", R"({"type":"A"})",
                                         R"({"type":"C"})", R"({"type":"D"})"};
  CHECK(FramesNotHeld(sent, *held) ==
        std::vector<std::string>{R"({"type":"B"})", R"({"type":"A"})", R"({"type":"D"})"});
  CHECK(FramesNotHeld(sent, sent).empty());
}

}  // namespace
}  // namespace callledger::replay
