// The column rules of the call-log row: docs/projection.md's column table,
// one function per rule. Each function is the only writer of the columns it
// names, so the rule for any column is read in one place:
//
//   OpenCall       node, call_id, channel_id, direction, from_number,
//                  to_number, start_time, args_ok; status = kelyapti
//   MarkEvidence   evidence (OpenCall marks ari)
//   SetCallerName  caller_name
//   SetRecording   recording_path
//   MarkConnected  answered, answer_time; status = suhbatda
//   HealAnswer     the same from CEL, and what follows from the answer on an
//                  ended row (ring_seconds, talk_seconds, disposition, and
//                  end_time, duration where the end was kept at the answer)
//   EndCall        end_time, duration, ring_seconds, talk_seconds,
//                  end_reason, end_estimated, hangup_cause,
//                  hangup_cause_txt, disposition; status = yakunlandi.
//                  After the end, only the channel's ChannelDestroyed
//                  writes again: the cause columns and disposition
//   HealEnd        rewrites what EndCall wrote from CEL's end (or ends a
//                  live call by it)
//   Reopen         clears what EndCall wrote; status = suhbatda or kelyapti
//
// `status` therefore has six writers (OpenCall, MarkConnected, HealAnswer,
// EndCall, HealEnd, Reopen), each setting the one value its event means,
// and the end columns three (EndCall and HealEnd set them, Reopen clears
// them). The Heal rules are for CEL evidence only (docs/projection.md,
// "Healing from CEL": which facts CEL may replace and why). first_seq and last_seq are
// written by RowEdits::Emit (core/projector_state.h); projector_version is
// the row's default and never written. Withdraw (a row's delete) is the
// projector's: it removes the call itself (core/projector.h).
//
// A rule takes the row through RowEdits::Edit only when it writes, so what
// it changes is emitted. Rules read nothing but their arguments and the
// call: which call an event concerns, and whether it connected the caller,
// is the projector's business. Pure functions; no clock, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ari_event.h"
#include "core/projector_state.h"

namespace callledger::fold {

// The values of `direction` (Stasis args[1]).
inline constexpr std::string_view kIncoming = "kiruvchi";
inline constexpr std::string_view kOutgoing = "chiquvchi";

// Final `dialstatus` values of a Dial event (its progress has none).
namespace dial_status {
inline constexpr std::string_view kAnswer = "ANSWER";
inline constexpr std::string_view kBusy = "BUSY";
inline constexpr std::string_view kNoAnswer = "NOANSWER";
inline constexpr std::string_view kCongestion = "CONGESTION";
inline constexpr std::string_view kChanUnavail = "CHANUNAVAIL";
bool IsFinal(std::string_view status);
}  // namespace dial_status

// What a channel's entry into Stasis(<call app>, args...) says about its
// call. `call_id` was chosen by the projector (Stasis args[0], unless empty
// or already another channel's call: then the channel id).
struct CallOpening {
  const std::string& node;
  const std::string& call_id;
  bool call_id_from_args;
  const ChannelSnapshot& channel;
  const std::vector<std::string>& args;  // Stasis arguments after the app name
  std::int64_t start_us;                 // the channel's creationtime, else the event's time
  const std::string& mixmonitor;         // the channel's MIXMONITOR_FILENAME so far
};
// Opens the row of a new call from its Stasis entry. (A call is opened
// once: its channel entering Stasis again reopens it, core/projector.h.)
void OpenCall(RowEdits& rows, Call& call, const CallOpening& opening);

// The row's facts now include `evidence`: OpenCall marks `ari`; a rule
// that heals a column from CEL lines marks `cel`. Evidence only grows: a
// row once healed from CEL stays `cel`, whatever ARI says of it later
// (the healed column came from CEL all the same).
void MarkEvidence(RowEdits& rows, Call& call, Evidence evidence);

enum class CallerNameFrom : std::uint8_t {
  kEntry,       // the snapshot at the Stasis entry: taken as it is, even empty
  kLaterEvent,  // any later snapshot (ChannelCallerId...): fills an empty name
};
void SetCallerName(RowEdits& rows, Call& call, const std::string& name, CallerNameFrom from);

enum class RecordingFrom : std::uint8_t {
  kEntry,          // the channel's MIXMONITOR_FILENAME at Stasis entry, even none
  kMixMonitor,     // a ChannelVarset of MIXMONITOR_FILENAME: the latest non-empty wins
  kAriRecording,   // a Recording* event of the call: only when the row has none
  kCelMixMonitor,  // a MixMonitor CEL showed: only when the row has none
};
void SetRecording(RowEdits& rows, Call& call, const std::string& path, RecordingFrom from);

// Whether the call can still become connected: not yet answered, not ended.
bool AwaitsConnection(const CallRow& row);

// The evidence of a connection (fold::Connection, core/projector_state.h).
// When the conversation began: the later of the caller's Up and the
// party's pick-up, never after the connection was seen. The party picked
// up when its channel went Up if it was made for this call (created at or
// after the call's start: an agent leg, a dialled far end); a party that
// was there before the call (a standing agent channel, a conference)
// picked up for it when the connection was seen. An application that
// bridges late (an overloaded PBX, docs/projection.md) moves seen_us, not
// this.
std::int64_t AnswerTime(const CallRow& row, const Connection& connection);
// The one "answered" rule: the caller was connected to another party.
// Only the first connection of a live call counts; answer_time is its
// AnswerTime, which can be earlier than the record that showed it.
void MarkConnected(RowEdits& rows, Call& call, const Connection& connection);
// CEL showed the call connected at `answer_us` (AnswerTime of CEL's
// connection): the row is answered then, live or ended (an ended row's
// ring and talk seconds and disposition follow, and its end when it was
// kept at an estimated answer later than the end's own time). The
// projector calls it only for an answer ARI did not see or only estimated.
void HealAnswer(RowEdits& rows, Call& call, std::int64_t answer_us);

// Asterisk's soft hangup flags: the `cause` of a ChannelHangupRequest with
// `soft: true` (channel.h, AST_SOFTHANGUP_*), never a Q.850 cause.
namespace soft_hangup {
inline constexpr int kDevice = 1;      // the channel driver: a hangup
inline constexpr int kAsyncGoto = 2;   // a redirect: the channel goes on
inline constexpr int kShutdown = 4;    // Asterisk stopping: a hangup
inline constexpr int kTimeout = 8;     // absolute timeout: the 'T' extension may go on
inline constexpr int kAppUnload = 16;  // the dialplan (or an app) finished: a hangup
inline constexpr int kExplicit = 32;   // asked for (ARI DELETE, AMI Hangup): a hangup
}  // namespace soft_hangup
// Whether a ChannelHangupRequest hangs its channel up: a hard one (the
// driver saw the other side hang up: `cause` is Q.850) always; a soft one
// when its flags ask for a hangup, not when they only break the channel out
// of what it runs (a redirect, a timeout with a 'T' extension).
bool HangsUp(bool soft, std::optional<int> cause);

// How a call ended. `cause_txt` goes with `cause` (ChannelDestroyed).
struct CallEnd {
  std::int64_t time_us = 0;
  EndSource source = EndSource::kNone;
  std::optional<int> cause;
  std::string_view cause_txt;
};
// Ends the call: the first hangup request that hangs its channel up, its
// StasisEnd, its ChannelDestroyed when neither came first, or a reconcile.
// end_reason follows from the source (EndReasonOf), and end_estimated
// from end_reason (IsEstimatedEnd, core/call_row.h).
// An ended call is not ended again; only its ChannelDestroyed after a
// hangup request or a StasisEnd still writes: the cause it brings (it
// often trails the hangup by seconds on a loaded PBX) and the disposition
// that follows from it, never the end time.
void EndCall(RowEdits& rows, Call& call, const CallEnd& end);
// Why a call ended by `source` did: `hangup` for the events that show the
// hang-up (and CEL's), `gap` for a reconcile that no longer lists its
// channel, `pbx_restart` for a restart. Every
// source that ends a call has a reason (a new EndSource must be given one
// here: the switch has no default); kNone for EndSource::kNone.
EndReason EndReasonOf(EndSource source);

// CEL showed the end (source kCel, or kPbxRestart for the last line of a
// channel the restart cut off): the end columns are written as EndCall
// writes them, whether the call was live or ended already. A cause
// CEL does not bring leaves the row's own. The projector calls it only to
// replace an end ARI did not see, estimated, or saw late (a
// ChannelDestroyed).
void HealEnd(RowEdits& rows, Call& call, const CallEnd& end);

// CEL's HANGUP line brought the cause of a call that ended without it: ARI
// saw the hang-up (a soft hangup request, a StasisEnd) but not the
// ChannelDestroyed that brings the cause, which a gap hid. Writes
// hangup_cause, hangup_cause_txt and the disposition that follows, as that
// ChannelDestroyed would have; the end stays.
void HealCause(RowEdits& rows, Call& call, int cause);

// The call's channel entered Stasis again: an ended call is live again
// (suhbatda if it had been connected), its end columns cleared.
void Reopen(RowEdits& rows, Call& call);

}  // namespace callledger::fold
