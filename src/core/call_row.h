// The call-log row (DESIGN section 4) and the changes the projector emits.
// Times are UTC microseconds; 0 means NULL. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/record.h"

namespace callledger {

// Bumped whenever a rule changes what a row says for the same records.
inline constexpr int kProjectorVersion = 8;

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
