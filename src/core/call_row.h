// The call-log row (DESIGN section 4) and the changes the projector emits.
// Times are UTC microseconds; 0 means NULL. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.h"

namespace callledger {

// Bumped whenever a rule changes what a row says for the same records.
inline constexpr int kProjectorVersion = 9;

enum class CallStatus : std::uint8_t {
  kRinging = 0,   // "kelyapti": ringing / waiting
  kTalking = 1,   // "suhbatda": connected to another party
  kFinished = 2,  // "yakunlandi"
};
std::string_view CallStatusName(CallStatus s);

// Where a row's facts come from (docs/projection.md, `evidence`). The
// values only grow: a row healed from CEL stays `cel`.
enum class Evidence : std::uint8_t {
  kAri = 0,  // "ari": every column from ARI events and reconcile snapshots
  kCel = 1,  // "cel": at least one column healed from CEL lines
};
std::string_view EvidenceName(Evidence e);
// The Evidence named `name`, as EvidenceName writes it; nullopt otherwise.
std::optional<Evidence> EvidenceFromName(std::string_view name);

// Why a row ended (docs/projection.md, `end_reason`); kNone (NULL) while
// the call is live.
enum class EndReason : std::uint8_t {
  kNone = 0,        // NULL: the call is live
  kHangup = 1,      // "hangup": the end was seen (hangup request, StasisEnd, ChannelDestroyed)
  kGap = 2,         // "gap": gone from a reconcile snapshot; the end is an estimate
  kPbxRestart = 3,  // "pbx_restart": the PBX restarted during a gap; an estimate
};
// "hangup", "gap", "pbx_restart"; "" for kNone (NULL).
std::string_view EndReasonName(EndReason r);
// The EndReason named `name`, as EndReasonName writes it ("" is kNone);
// nullopt otherwise.
std::optional<EndReason> EndReasonFromName(std::string_view name);
// Whether an end for this reason was inferred rather than seen: the value
// of `end_estimated`, which says the same in the older column.
bool IsEstimatedEnd(EndReason r);

// What became of one leg rung for a call (docs/projection.md,
// `agents_tried`): its final Dial status, else what its channel showed.
enum class LegOutcome : std::uint8_t {
  kRinging = 0,     // "ringing": rung, no outcome yet
  kAnswered = 1,    // "answered": picked up (Dial ANSWER, or its channel went Up)
  kNoAnswer = 2,    // "no_answer": rang without an answer (Dial NOANSWER; hung up while ringing)
  kBusy = 3,        // "busy": Dial BUSY, cause 17
  kCongestion = 4,  // "congestion": Dial CONGESTION, a congestion cause
  kFailed = 5,      // "failed": Dial CHANUNAVAIL (or another final status), a failure cause
  kCancelled = 6,   // "cancelled": Dial CANCEL (the caller hung up while a Dial() rang it)
  kUnknown = 7,     // "unknown": gone in a gap before its outcome was seen
};
std::string_view LegOutcomeName(LegOutcome o);
// The LegOutcome named `name`, as LegOutcomeName writes it; nullopt otherwise.
std::optional<LegOutcome> LegOutcomeFromName(std::string_view name);

// One leg the application or a Dial rang for a call: an agent tried (or,
// for an outbound call, the far end).
struct AgentAttempt {
  std::string endpoint;      // the extension its channel names (core/endpoint_name.h)
  std::string channel_id;    // the leg's channel
  std::int64_t rung_us = 0;  // when it was first seen rung for the call
  LegOutcome outcome = LegOutcome::kRinging;

  bool operator==(const AgentAttempt&) const = default;
};

struct CallRow {
  std::string node;
  std::string call_id;     // Stasis args[0] if non-empty, else the channel id
  std::string channel_id;  // the call channel
  std::string direction;   // "kiruvchi" / "chiquvchi"; empty = NULL
  std::string from_number;
  std::string to_number;
  std::string caller_name;
  std::int64_t start_us = 0;   // channel creationtime
  std::int64_t answer_us = 0;  // first connected to another party
  std::int64_t end_us = 0;
  std::optional<std::int64_t> duration_s;  // start..end, whole seconds, half up
  std::optional<std::int64_t> ring_s;      // start..answer (or ..end if never answered)
  std::optional<std::int64_t> talk_s;      // answer..end
  CallStatus status = CallStatus::kRinging;
  bool answered = false;
  std::string disposition;  // answered, abandoned, busy, no_answer, congestion, failed, unanswered;
                            // empty while live
  std::optional<int> hangup_cause;
  std::string hangup_cause_txt;
  std::string recording_path;
  bool end_estimated = false;  // = IsEstimatedEnd(end_reason)
  bool args_ok = false;
  Seq first_seq;
  Seq last_seq;
  int projector_version = kProjectorVersion;
  Evidence evidence = Evidence::kAri;
  EndReason end_reason = EndReason::kNone;
  // Who took the call (docs/projection.md, "Agents"): an inbound call's
  // first party connected to the caller, an outbound call's calling agent;
  // empty = NULL.
  std::string agent;
  std::vector<AgentAttempt> agents_tried;  // in the order they were rung
  std::string transferred_to;              // the last party after the first; empty = NULL

  bool operator==(const CallRow&) const = default;
};

struct RowChange {
  enum class Op : std::uint8_t { kUpsert, kDelete };
  Op op = Op::kUpsert;
  CallRow row;  // for kDelete only node and call_id matter
};

// Whole seconds between two µs instants, rounded half up from milliseconds.
std::int64_t RoundedSeconds(std::int64_t from_us, std::int64_t to_us);

}  // namespace callledger
