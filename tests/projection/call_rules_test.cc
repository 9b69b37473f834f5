// The column rules one at a time (core/call_rules.h), on calls opened by the
// rules themselves: what each writes, what it leaves alone, and that what it
// writes is emitted. The golden tests cover them on captured traffic; these
// cover the branches the captures do not reach (causes 38, 42, 44, a Dial
// CHANUNAVAIL, a late caller name, the three recording sources).
#include <catch2/catch.hpp>

#include "core/call_rules.h"
#include "core/q850.h"
#include "rule_records.h"

namespace callledger {
namespace {

using fold::Call;
using fold::CallEnd;
using fold::EndSource;
using testing::kStart;
using testing::Open;
using testing::Record;

// A connection seen at `seen_us` with no Up time known for either side.
fold::Connection Seen(std::int64_t seen_us) { return fold::Connection{seen_us, 0, 0, 0}; }

void End(Call& call, std::optional<int> cause, std::string_view text = {}) {
  Record r(3);
  fold::EndCall(r.edits, call, CallEnd{kStart + 20000000, EndSource::kDestroyed, cause, text});
  REQUIRE(r.Changes().size() == 1);
}

TEST_CASE("MarkConnected: the first connection of a live call, and only that, is emitted") {
  Call call;
  Open(call, "kiruvchi");
  Record first(2);
  fold::MarkConnected(first.edits, call, Seen(kStart + 5000000));
  const auto changes = first.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.answered);
  CHECK(changes[0].row.answer_us == kStart + 5000000);
  CHECK(changes[0].row.status == CallStatus::kTalking);

  Record again(3);
  fold::MarkConnected(again.edits, call, Seen(kStart + 9000000));
  CHECK(again.Changes().empty());
  CHECK(call.row().answer_us == kStart + 5000000);

  Call ended;
  Open(ended, "chiquvchi");
  End(ended, q850::kNormalClearing);
  Record late(4);
  fold::MarkConnected(late.edits, ended, Seen(kStart + 30000000));
  CHECK(late.Changes().empty());
  CHECK_FALSE(ended.row().answered);
}

TEST_CASE("EndCall: an outbound call never connected gets its disposition from the cause") {
  const std::vector<std::pair<int, std::string>> cases = {
      {q850::kUserBusy, "busy"},
      {q850::kCircuitCongestion, "congestion"},
      {q850::kNetworkOutOfOrder, "congestion"},
      {q850::kSwitchingEquipmentCongestion, "congestion"},
      {q850::kRequestedChannelUnavailable, "congestion"},
      {q850::kNoUserResponse, "no_answer"},
      {q850::kNoAnswer, "no_answer"},
      {q850::kNormalClearing, "unanswered"},
  };
  for (const auto& [cause, disposition] : cases) {
    INFO("cause " << cause);
    Call call;
    Open(call, "chiquvchi");
    End(call, cause);
    CHECK(call.row().status == CallStatus::kFinished);
    CHECK(call.row().disposition == disposition);
    CHECK(call.row().hangup_cause == cause);
    CHECK(call.row().hangup_cause_txt == q850::Text(cause));
    CHECK(call.row().duration_s == 20);
    CHECK(call.row().ring_s == 20);
    CHECK_FALSE(call.row().talk_s);
  }
  // Whatever the cause, an inbound call never connected was abandoned.
  Call inbound;
  Open(inbound, "kiruvchi");
  End(inbound, q850::kUserBusy);
  CHECK(inbound.row().disposition == "abandoned");
}

TEST_CASE("EndCall: Asterisk's texts, hard hangup causes, a linked leg's Dial status") {
  Call switching;
  Open(switching, "chiquvchi");
  End(switching, q850::kSwitchingEquipmentCongestion);
  CHECK(switching.row().hangup_cause == 42);
  CHECK(switching.row().hangup_cause_txt == "Switching equipment congestion");
  // The table is Asterisk's ast_cause2str() wording, 44 and 28 included.
  CHECK(q850::Text(q850::kRequestedChannelUnavailable) == "Requested channel not available");
  CHECK(q850::Text(q850::kInvalidNumberFormat) == "Invalid number format");
  CHECK(q850::Text(q850::kNotDefined).empty());

  Call worded;
  Open(worded, "chiquvchi");
  End(worded, q850::kUserBusy, "Busy here");
  CHECK(worded.row().hangup_cause_txt == "Busy here");  // the event's own words win

  // ChannelDestroyed with cause 0: the last hard hangup request's cause.
  Call requested;
  Open(requested, "chiquvchi");
  requested.hard_cause = q850::kNoAnswer;
  End(requested, q850::kNotDefined);
  CHECK(requested.row().hangup_cause == q850::kNoAnswer);
  CHECK(requested.row().hangup_cause_txt == "User alerting, no answer");
  CHECK(requested.row().disposition == "no_answer");

  Call unavailable;
  Open(unavailable, "chiquvchi");
  unavailable.leg_dialstatus = std::string(fold::dial_status::kChanUnavail);
  End(unavailable, std::nullopt);
  CHECK_FALSE(unavailable.row().hangup_cause);
  CHECK(unavailable.row().disposition == "failed");
}

TEST_CASE("EndCall: a ChannelDestroyed after a StasisEnd brings the cause, not the end") {
  Call call;
  Open(call, "kiruvchi");
  Record stasis_end(2);
  fold::EndCall(stasis_end.edits, call, CallEnd{kStart + 10000000, EndSource::kStasisEnd, {}, {}});
  REQUIRE(stasis_end.Changes().size() == 1);
  End(call, q850::kNormalClearing);
  CHECK(call.row().end_us == kStart + 10000000);
  CHECK(call.row().duration_s == 10);
  CHECK(call.row().hangup_cause == q850::kNormalClearing);

  Record after(4);
  fold::EndCall(after.edits, call, CallEnd{kStart + 30000000, EndSource::kStasisEnd, {}, {}});
  CHECK(after.Changes().empty());
  CHECK(call.row().end_us == kStart + 10000000);
}

TEST_CASE("Reopen: an ended call is live again, its end cleared, its answer kept") {
  Call call;
  Open(call, "kiruvchi");
  Record connect(2);
  fold::MarkConnected(connect.edits, call, Seen(kStart + 4000000));
  REQUIRE(connect.Changes().size() == 1);
  End(call, q850::kNormalClearing);
  Record reopen(4);
  fold::Reopen(reopen.edits, call);
  const auto changes = reopen.Changes();
  REQUIRE(changes.size() == 1);
  const CallRow& row = changes[0].row;
  CHECK(row.status == CallStatus::kTalking);
  CHECK(row.answered);
  CHECK(row.answer_us == kStart + 4000000);
  CHECK(row.end_us == 0);
  CHECK_FALSE(row.duration_s);
  CHECK_FALSE(row.talk_s);
  CHECK(row.ring_s == 4);  // start to answer still holds
  CHECK(row.disposition.empty());
  CHECK_FALSE(row.hangup_cause);
  CHECK(row.hangup_cause_txt.empty());

  Record live(5);
  fold::Reopen(live.edits, call);  // a live call is left as it is
  CHECK(live.Changes().empty());
}

TEST_CASE("SetRecording and SetCallerName: which source may write over what") {
  Call call;
  Open(call, "kiruvchi");
  CHECK(call.row().caller_name == "Ali");
  Record r(2);
  fold::SetCallerName(r.edits, call, "Vali", fold::CallerNameFrom::kLaterEvent);  // has one
  fold::SetRecording(r.edits, call, "/rec/a.wav", fold::RecordingFrom::kAriRecording);
  fold::SetRecording(r.edits, call, "/rec/b.wav", fold::RecordingFrom::kAriRecording);  // has one
  auto changes = r.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.caller_name == "Ali");
  CHECK(changes[0].row.recording_path == "/rec/a.wav");

  Record mix(3);
  fold::SetRecording(mix.edits, call, "", fold::RecordingFrom::kMixMonitor);  // ignored
  CHECK(mix.Changes().empty());
  Record mix2(4);
  fold::SetRecording(mix2.edits, call, "/mix/c.wav", fold::RecordingFrom::kMixMonitor);
  changes = mix2.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.recording_path == "/mix/c.wav");  // the latest MixMonitor file wins
}

}  // namespace
}  // namespace callledger
