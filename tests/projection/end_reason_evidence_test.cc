// The two columns that say how sure a row is (core/call_rules.h):
// end_reason, written by EndCall from what ended the call and cleared by
// Reopen, and evidence, written by MarkEvidence only. The golden tests
// check them on captured traffic (golden_test.cc); these cover every end
// source and the evidence values no capture reaches yet.
#include <catch2/catch.hpp>

#include "core/call_rules.h"
#include "core/q850.h"
#include "rule_records.h"

namespace callledger {
namespace {

using fold::Call;
using fold::CallEnd;
using fold::EndSource;
using testing::kSecond;
using testing::kStart;
using testing::Open;
using testing::Record;

TEST_CASE("EndCall: end_reason says what ended the call, end_estimated follows it") {
  const std::vector<std::pair<EndSource, EndReason>> cases = {
      {EndSource::kHangupRequest, EndReason::kHangup},
      {EndSource::kStasisEnd, EndReason::kHangup},
      {EndSource::kDestroyed, EndReason::kHangup},
      {EndSource::kReconcile, EndReason::kGap},
  };
  for (const auto& [source, reason] : cases) {
    INFO("end source " << static_cast<int>(source));
    Call call;
    Open(call, "kiruvchi");
    CHECK(call.row().end_reason == EndReason::kNone);  // live: NULL
    Record end(2);
    fold::EndCall(end.edits, call, CallEnd{kStart + 8 * kSecond, source, std::nullopt, {}});
    const auto changes = end.Changes();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].row.end_reason == reason);
    CHECK(changes[0].row.end_estimated == (reason == EndReason::kGap));
    CHECK(fold::EndReasonOf(source) == reason);
  }
  CHECK(fold::EndReasonOf(EndSource::kNone) == EndReason::kNone);
}

TEST_CASE("EndCall: a ChannelDestroyed after the end changes the cause, not the end_reason") {
  Call call;
  Open(call, "kiruvchi");
  Record request(2);
  fold::EndCall(request.edits, call,
                CallEnd{kStart + 5 * kSecond, EndSource::kHangupRequest, std::nullopt, {}});
  REQUIRE(request.Changes().size() == 1);
  Record destroyed(3);
  fold::EndCall(destroyed.edits, call,
                CallEnd{kStart + 7 * kSecond, EndSource::kDestroyed, q850::kNormalClearing, {}});
  const auto changes = destroyed.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.hangup_cause == q850::kNormalClearing);
  CHECK(changes[0].row.end_reason == EndReason::kHangup);

  // A reconcile's end stays a gap's: the late ChannelDestroyed writes nothing.
  Call gone;
  Open(gone, "kiruvchi");
  Record reconcile(4);
  fold::EndCall(reconcile.edits, gone,
                CallEnd{kStart + 9 * kSecond, EndSource::kReconcile, std::nullopt, {}});
  REQUIRE(reconcile.Changes().size() == 1);
  Record late(5);
  fold::EndCall(late.edits, gone,
                CallEnd{kStart + 10 * kSecond, EndSource::kDestroyed, q850::kNoAnswer, {}});
  CHECK(late.Changes().empty());
  CHECK(gone.row().end_reason == EndReason::kGap);
}

TEST_CASE("Reopen: end_reason is NULL again, and the next end writes its own") {
  Call call;
  Open(call, "kiruvchi");
  Record reconcile(2);
  fold::EndCall(reconcile.edits, call,
                CallEnd{kStart + 9 * kSecond, EndSource::kReconcile, std::nullopt, {}});
  REQUIRE(reconcile.Changes().size() == 1);
  Record reopen(3);
  fold::Reopen(reopen.edits, call);
  auto changes = reopen.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.end_reason == EndReason::kNone);
  CHECK_FALSE(changes[0].row.end_estimated);

  Record end(4);
  fold::EndCall(end.edits, call,
                CallEnd{kStart + 20 * kSecond, EndSource::kStasisEnd, std::nullopt, {}});
  changes = end.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.end_reason == EndReason::kHangup);
  CHECK_FALSE(changes[0].row.end_estimated);
}

TEST_CASE("MarkEvidence: a row opens as ari; cel is emitted once and stays") {
  Call call;
  Open(call, "kiruvchi");
  CHECK(call.row().evidence == Evidence::kAri);

  Record same(2);
  fold::MarkEvidence(same.edits, call, Evidence::kAri);
  CHECK(same.Changes().empty());

  Record healed(3);
  fold::MarkEvidence(healed.edits, call, Evidence::kCel);
  auto changes = healed.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].row.evidence == Evidence::kCel);

  // Later ARI facts do not make the healed column ARI's.
  Record later(4);
  fold::MarkEvidence(later.edits, call, Evidence::kAri);
  CHECK(later.Changes().empty());
  CHECK(call.row().evidence == Evidence::kCel);
  Record again(5);
  fold::MarkEvidence(again.edits, call, Evidence::kCel);
  CHECK(again.Changes().empty());

  // Nor do the end and a reopening: evidence is not an end column.
  Record end(6);
  fold::EndCall(end.edits, call,
                CallEnd{kStart + 9 * kSecond, EndSource::kReconcile, std::nullopt, {}});
  fold::Reopen(end.edits, call);
  CHECK(call.row().evidence == Evidence::kCel);
}

}  // namespace
}  // namespace callledger
