#include "core/call_rules.h"

#include <algorithm>

#include "core/q850.h"

namespace callledger::fold {
namespace {

// The cause a row shows: the end's own when it is one (ChannelDestroyed
// can carry 0, "not defined"), else the last hard hangup request's.
std::optional<int> HangupCause(const Call& call, const CallEnd& end) {
  const std::optional<int> effective =
      end.cause && *end.cause != q850::kNotDefined ? end.cause : call.hard_cause;
  if (effective && *effective != q850::kNotDefined) return effective;
  return std::nullopt;
}

// hangup_cause and hangup_cause_txt, for EndCall only.
void SetCause(CallRow& row, const Call& call, const CallEnd& end) {
  row.hangup_cause = HangupCause(call, end);
  if (!row.hangup_cause) {
    row.hangup_cause_txt.clear();
  } else if (end.cause == row.hangup_cause && !end.cause_txt.empty()) {
    row.hangup_cause_txt = end.cause_txt;  // the event's own words
  } else {
    row.hangup_cause_txt = q850::Text(*row.hangup_cause);
  }
}

bool IsCongestion(int cause) {
  return cause == q850::kCircuitCongestion || cause == q850::kNetworkOutOfOrder ||
         cause == q850::kSwitchingEquipmentCongestion ||
         cause == q850::kRequestedChannelUnavailable;
}

// Why an ended call went the way it did (docs/projection.md, disposition).
// For a call never connected, the cause and a linked leg's Dial status say
// why; an inbound one was abandoned whatever the cause.
std::string_view Disposition(const CallRow& row, const std::string& leg_dialstatus) {
  if (row.answered) return "answered";
  if (row.direction == kIncoming) return "abandoned";
  const int c = row.hangup_cause.value_or(q850::kNotDefined);
  const std::string& ds = leg_dialstatus;
  if (c == q850::kUserBusy || ds == dial_status::kBusy) return "busy";
  if (IsCongestion(c) || ds == dial_status::kCongestion) return "congestion";
  if (c == q850::kNoUserResponse || c == q850::kNoAnswer || ds == dial_status::kNoAnswer) {
    return "no_answer";
  }
  if (ds == dial_status::kChanUnavail) return "failed";
  return "unanswered";
}

// duration, ring_seconds and talk_seconds of an ended row.
void WriteSeconds(CallRow& row) {
  row.duration_s = RoundedSeconds(row.start_us, row.end_us);
  if (row.answered) {
    row.ring_s = RoundedSeconds(row.start_us, row.answer_us);
    row.talk_s = RoundedSeconds(row.answer_us, row.end_us);
  } else {
    row.ring_s = RoundedSeconds(row.start_us, row.end_us);
    row.talk_s.reset();
  }
}

// The end columns, for EndCall and HealEnd.
void WriteEnd(CallRow& row, Call& call, const CallEnd& end) {
  call.end_source = end.source;
  call.end_given_us = end.time_us;
  row.status = CallStatus::kFinished;
  // Never before the start, nor before the answer: a reconcile's time is
  // the daemon's clock, which can be behind Asterisk's, and a frame may
  // come without a time (fuzzing found both, tests/fuzz/findings).
  row.end_us = std::max(end.time_us, row.answered ? row.answer_us : row.start_us);
  row.end_reason = EndReasonOf(end.source);
  row.end_estimated = IsEstimatedEnd(row.end_reason);
  WriteSeconds(row);
  SetCause(row, call, end);
  row.disposition = Disposition(row, call.leg_dialstatus);
}

}  // namespace

bool dial_status::IsFinal(std::string_view status) {
  return status == kAnswer || status == kBusy || status == kNoAnswer || status == kCongestion ||
         status == kChanUnavail;
}

void OpenCall(RowEdits& rows, Call& call, const CallOpening& o) {
  const std::vector<std::string>& args = o.args;
  RowHandle row = rows.Edit(call);
  row->node = o.node;
  row->call_id = o.call_id;
  row->channel_id = o.channel.id;
  const bool direction_ok = args.size() > 1 && (args[1] == kIncoming || args[1] == kOutgoing);
  row->direction = direction_ok ? args[1] : std::string();
  row->from_number = args.size() > 2 && !args[2].empty() ? args[2] : o.channel.caller_number;
  row->to_number = args.size() > 3 && !args[3].empty() ? args[3] : o.channel.dialplan_exten;
  row->start_us = o.start_us;
  row->status = CallStatus::kRinging;
  row->args_ok = o.call_id_from_args && direction_ok && args.size() >= 4;
  MarkEvidence(rows, call, Evidence::kAri);
  SetCallerName(rows, call, o.channel.caller_name, CallerNameFrom::kEntry);
  SetRecording(rows, call, o.mixmonitor, RecordingFrom::kEntry);
}

void MarkEvidence(RowEdits& rows, Call& call, Evidence evidence) {
  const Evidence now = call.row().evidence;
  if (now == evidence || now == Evidence::kCel) return;
  rows.Edit(call)->evidence = evidence;
}

void SetCallerName(RowEdits& rows, Call& call, const std::string& name, CallerNameFrom from) {
  if (from == CallerNameFrom::kLaterEvent && (!call.row().caller_name.empty() || name.empty())) {
    return;
  }
  rows.Edit(call)->caller_name = name;
}

void SetRecording(RowEdits& rows, Call& call, const std::string& path, RecordingFrom from) {
  switch (from) {
    case RecordingFrom::kEntry:
      break;
    case RecordingFrom::kMixMonitor:
      if (path.empty()) return;
      break;
    case RecordingFrom::kAriRecording:
    case RecordingFrom::kCelMixMonitor:
      if (!call.row().recording_path.empty() || path.empty()) return;
      break;
  }
  rows.Edit(call)->recording_path = path;
}

bool AwaitsConnection(const CallRow& row) {
  return !row.answered && row.status != CallStatus::kFinished;
}

std::int64_t AnswerTime(const CallRow& row, const Connection& c) {
  const bool made_for_call =
      c.party_up_us != 0 && c.party_created_us != 0 && c.party_created_us >= row.start_us;
  const std::int64_t pick_up = made_for_call ? c.party_up_us : c.seen_us;
  return std::min(std::max(pick_up, c.caller_up_us), c.seen_us);
}

void MarkConnected(RowEdits& rows, Call& call, const Connection& connection) {
  if (!AwaitsConnection(call.row())) return;
  // Never before the start (an Up seen in a snapshot older than the call).
  const std::int64_t answer_us = std::max(AnswerTime(call.row(), connection), call.row().start_us);
  RowHandle row = rows.Edit(call);
  row->answered = true;
  row->answer_us = answer_us;
  row->status = CallStatus::kTalking;
  call.answer_estimated = connection.estimated;
  call.answer_connection = connection;
  call.answer_connection.party = nullptr;
  if (connection.party != nullptr) call.answer_party = *connection.party;
}

void HealAnswer(RowEdits& rows, Call& call, std::int64_t answer_us) {
  RowHandle row = rows.Edit(call);
  row->answered = true;
  row->answer_us = answer_us;
  call.answer_estimated = false;
  if (row->status != CallStatus::kFinished) {
    row->status = CallStatus::kTalking;
    return;
  }
  // An end kept at an estimated answer moves with it (WriteEnd).
  row->end_us = std::max(call.end_given_us, answer_us);
  WriteSeconds(*row);
  row->disposition = Disposition(*row, call.leg_dialstatus);
}

bool HangsUp(bool soft, std::optional<int> cause) {
  if (!soft) return true;
  constexpr int kHangupFlags = soft_hangup::kDevice | soft_hangup::kShutdown |
                               soft_hangup::kAppUnload | soft_hangup::kExplicit;
  return cause && (*cause & kHangupFlags) != 0;
}

void EndCall(RowEdits& rows, Call& call, const CallEnd& end) {
  if (call.row().status == CallStatus::kFinished) {
    const bool ended_early = call.end_source == EndSource::kHangupRequest ||
                             call.end_source == EndSource::kStasisEnd ||
                             call.end_source == EndSource::kCel;
    if (end.source == EndSource::kDestroyed && ended_early) {
      RowHandle row = rows.Edit(call);
      call.end_source = end.source;
      SetCause(*row, call, end);
      row->disposition = Disposition(*row, call.leg_dialstatus);
    }
    return;
  }
  RowHandle row = rows.Edit(call);
  WriteEnd(*row, call, end);
}

void HealEnd(RowEdits& rows, Call& call, const CallEnd& end) {
  RowHandle row = rows.Edit(call);
  const std::string kept_txt = row->hangup_cause_txt;
  CallEnd healed = end;
  if (!healed.cause && row->hangup_cause) {
    healed.cause = row->hangup_cause;  // CEL did not bring one: the row's stands
    healed.cause_txt = kept_txt;
  }
  WriteEnd(*row, call, healed);
}

void HealCause(RowEdits& rows, Call& call, int cause) {
  RowHandle row = rows.Edit(call);
  row->hangup_cause = cause;
  row->hangup_cause_txt = q850::Text(cause);
  row->disposition = Disposition(*row, call.leg_dialstatus);
}

EndReason EndReasonOf(EndSource source) {
  switch (source) {
    case EndSource::kNone:
      return EndReason::kNone;
    case EndSource::kHangupRequest:
    case EndSource::kStasisEnd:
    case EndSource::kDestroyed:
    case EndSource::kCel:
      return EndReason::kHangup;
    case EndSource::kReconcile:
      return EndReason::kGap;
    case EndSource::kPbxRestart:
      return EndReason::kPbxRestart;
  }
  return EndReason::kNone;
}

void Reopen(RowEdits& rows, Call& call) {
  // The row is taken before the test, as it always was: a row left as it
  // was emits nothing, and the place of this call among the record's
  // changes stays where it has been.
  RowHandle row = rows.Edit(call);
  if (row->status != CallStatus::kFinished) return;
  call.end_source = EndSource::kNone;
  call.end_given_us = 0;
  row->status = row->answered ? CallStatus::kTalking : CallStatus::kRinging;
  row->end_us = 0;
  row->duration_s.reset();
  row->talk_s.reset();
  if (!row->answered) row->ring_s.reset();
  row->disposition.clear();
  row->hangup_cause.reset();
  row->hangup_cause_txt.clear();
  row->end_reason = EndReason::kNone;
  row->end_estimated = false;
}

}  // namespace callledger::fold
