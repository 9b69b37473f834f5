#include "core/call_row.h"

namespace callledger {

std::string_view CallStatusName(CallStatus s) {
  switch (s) {
    case CallStatus::kRinging:
      return "kelyapti";
    case CallStatus::kTalking:
      return "suhbatda";
    case CallStatus::kFinished:
      return "yakunlandi";
  }
  return "kelyapti";
}

std::string_view EvidenceName(Evidence e) {
  switch (e) {
    case Evidence::kAri:
      return "ari";
    case Evidence::kCel:
      return "cel";
  }
  return "ari";
}

std::optional<Evidence> EvidenceFromName(std::string_view name) {
  for (Evidence e : {Evidence::kAri, Evidence::kCel}) {
    if (name == EvidenceName(e)) return e;
  }
  return std::nullopt;
}

std::string_view EndReasonName(EndReason r) {
  switch (r) {
    case EndReason::kNone:
      return "";
    case EndReason::kHangup:
      return "hangup";
    case EndReason::kGap:
      return "gap";
    case EndReason::kPbxRestart:
      return "pbx_restart";
  }
  return "";
}

std::optional<EndReason> EndReasonFromName(std::string_view name) {
  for (EndReason r :
       {EndReason::kNone, EndReason::kHangup, EndReason::kGap, EndReason::kPbxRestart}) {
    if (name == EndReasonName(r)) return r;
  }
  return std::nullopt;
}

std::string_view LegOutcomeName(LegOutcome o) {
  switch (o) {
    case LegOutcome::kRinging:
      return "ringing";
    case LegOutcome::kAnswered:
      return "answered";
    case LegOutcome::kNoAnswer:
      return "no_answer";
    case LegOutcome::kBusy:
      return "busy";
    case LegOutcome::kCongestion:
      return "congestion";
    case LegOutcome::kFailed:
      return "failed";
    case LegOutcome::kCancelled:
      return "cancelled";
    case LegOutcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<LegOutcome> LegOutcomeFromName(std::string_view name) {
  for (LegOutcome o : {LegOutcome::kRinging, LegOutcome::kAnswered, LegOutcome::kNoAnswer,
                       LegOutcome::kBusy, LegOutcome::kCongestion, LegOutcome::kFailed,
                       LegOutcome::kCancelled, LegOutcome::kUnknown}) {
    if (name == LegOutcomeName(o)) return o;
  }
  return std::nullopt;
}

bool IsEstimatedEnd(EndReason r) { return r == EndReason::kGap || r == EndReason::kPbxRestart; }

std::int64_t RoundedSeconds(std::int64_t from_us, std::int64_t to_us) {
  if (to_us <= from_us) return 0;
  // Whole milliseconds first (ARI times have millisecond precision), then
  // seconds rounded half up.
  const std::int64_t ms = (to_us - from_us) / 1000;
  return (ms + 500) / 1000;
}

}  // namespace callledger
