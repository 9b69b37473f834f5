#include "support/store_checks.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace callledger::testing {

CallRow FullRow(const std::string& node, const std::string& call_id, int i) {
  CallRow r;
  r.node = node;
  r.call_id = call_id;
  r.channel_id = "1764145558." + std::to_string(1000 + i);
  r.direction = i % 2 ? "kiruvchi" : "chiquvchi";
  r.from_number = "99890" + std::to_string(1234567 + i);
  r.to_number = "100";
  r.caller_name = "Oʻtkir Xoʻjayev";
  r.start_us = 1795683358161000LL + i * 1'000'003LL;  // 2026-11-26 ...
  r.answer_us = r.start_us + 5'000'123;
  r.end_us = r.start_us + 65'432'101;
  r.duration_s = RoundedSeconds(r.start_us, r.end_us);
  r.ring_s = RoundedSeconds(r.start_us, r.answer_us);
  r.talk_s = RoundedSeconds(r.answer_us, r.end_us);
  r.status = CallStatus::kFinished;
  r.answered = true;
  r.disposition = "answered";
  r.hangup_cause = 16;
  r.hangup_cause_txt = "Normal Clearing";
  r.recording_path = "/var/spool/asterisk/recording/" + call_id + ".wav";
  // Every end_reason and both evidence values, among the first few rows.
  r.end_reason = i % 3 != 0 ? EndReason::kHangup : i % 2 ? EndReason::kGap : EndReason::kPbxRestart;
  r.end_estimated = IsEstimatedEnd(r.end_reason);
  r.evidence = i % 4 == 1 ? Evidence::kCel : Evidence::kAri;
  r.args_ok = i % 2 == 0;
  r.first_seq = Seq{static_cast<std::uint64_t>(i) * 10 + 1};
  r.last_seq = Seq{static_cast<std::uint64_t>(i) * 10 + 9};
  // Agents: one hunt leg without a known ring time, one with a name that
  // needs escaping in JSON, microseconds that must survive the round trip.
  r.agent = "10" + std::to_string(i % 7);
  r.agents_tried = {
      AgentAttempt{"Oʻtkir \"7\"\\", "1764145558.9" + std::to_string(i), 0, LegOutcome::kBusy},
      AgentAttempt{r.agent, "1764145558.8" + std::to_string(i), r.start_us + 123'457,
                   LegOutcome::kAnswered}};
  if (i % 5 == 0) r.transferred_to = "200";
  return r;
}

CallRow SparseRow(const std::string& node, const std::string& call_id) {
  CallRow r;
  r.node = node;
  r.call_id = call_id;
  r.channel_id = call_id;
  r.start_us = 1795683358161000LL;
  r.first_seq = Seq{1};
  r.last_seq = Seq{1};
  return r;
}

std::string Describe(const CallRow& r) {
  const auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string("null"); };
  return "node=[" + r.node + "] call_id=[" + r.call_id + "] channel_id=[" + r.channel_id +
         "] direction=[" + r.direction + "] from=[" + r.from_number + "] to=[" + r.to_number +
         "] caller_name=[" + r.caller_name + "] start=" + std::to_string(r.start_us) +
         " answer=" + std::to_string(r.answer_us) + " end=" + std::to_string(r.end_us) +
         " duration=" + opt(r.duration_s) + " ring=" + opt(r.ring_s) + " talk=" + opt(r.talk_s) +
         " status=" + std::string(CallStatusName(r.status)) +
         " answered=" + std::to_string(r.answered) + " disposition=[" + r.disposition +
         "] cause=" + opt(r.hangup_cause) + " cause_txt=[" + r.hangup_cause_txt + "] recording=[" +
         r.recording_path + "] estimated=" + std::to_string(r.end_estimated) +
         " args_ok=" + std::to_string(r.args_ok) +
         " evidence=" + std::string(EvidenceName(r.evidence)) + " end_reason=[" +
         std::string(EndReasonName(r.end_reason)) + "] seqs=" + std::to_string(r.first_seq.value) +
         ".." + std::to_string(r.last_seq.value) + " v=" + std::to_string(r.projector_version);
}

std::vector<CallRow> SortedById(std::vector<CallRow> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const CallRow& a, const CallRow& b) { return a.call_id < b.call_id; });
  return rows;
}

void RequireRows(CallLogStore& store, const std::string& node,
                 const std::vector<CallRow>& expected) {
  auto actual = store.AllRows(node);
  REQUIRE(actual.ok());
  const auto want = SortedById(expected);
  REQUIRE(actual->size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    REQUIRE(Describe((*actual)[i]) == Describe(want[i]));
    REQUIRE((*actual)[i] == want[i]);
  }
}

void RequireCheckpoint(CallLogStore& store, const std::string& node, std::uint64_t seq) {
  auto cp = store.Checkpoint(node);
  REQUIRE(cp.ok());
  REQUIRE(cp->value == seq);
}

}  // namespace callledger::testing
