// The column rules of the call-log row: docs/projection.md's column table,
// one function per rule. Each function is the only writer of the columns it
// names, so the rule for any column is read in one place:
//
//   OpenCall       node, call_id, channel_id, direction, from_number,
//                  to_number, start_time, args_ok; status = kelyapti
//   SetCallerName  caller_name
//   SetRecording   recording_path
//   MarkConnected  answered, answer_time; status = suhbatda
//   EndCall        end_time, duration, ring_seconds, talk_seconds,
//                  end_estimated, hangup_cause, hangup_cause_txt,
//                  disposition; status = yakunlandi
//   Reopen         clears what EndCall wrote; status = suhbatda or kelyapti
//
// `status` therefore has four writers (OpenCall, MarkConnected, EndCall,
// Reopen), each setting the one value its event means, and the end columns
// two (EndCall sets them, Reopen clears them). first_seq and last_seq are
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

enum class CallerNameFrom : std::uint8_t {
  kEntry,       // the snapshot at the Stasis entry: taken as it is, even empty
  kLaterEvent,  // any later snapshot (ChannelCallerId...): fills an empty name
};
void SetCallerName(RowEdits& rows, Call& call, const std::string& name, CallerNameFrom from);

enum class RecordingFrom : std::uint8_t {
  kEntry,         // the channel's MIXMONITOR_FILENAME at Stasis entry, even none
  kMixMonitor,    // a ChannelVarset of MIXMONITOR_FILENAME: the latest non-empty wins
  kAriRecording,  // a Recording* event of the call: only when the row has none
};
void SetRecording(RowEdits& rows, Call& call, const std::string& path, RecordingFrom from);

// Whether the call can still become connected: not yet answered, not ended.
bool AwaitsConnection(const CallRow& row);
// The one "answered" rule: the caller was connected to another party at
// `time_us` (a bridge with an Up party, or a Dial from it ending ANSWER).
// Only the first connection of a live call counts.
void MarkConnected(RowEdits& rows, Call& call, std::int64_t time_us);

// How a call ended. `cause_txt` goes with `cause` (ChannelDestroyed).
struct CallEnd {
  std::int64_t time_us = 0;
  EndSource source = EndSource::kNone;
  std::optional<int> cause;
  std::string_view cause_txt;
};
// Ends the call. An ended call is ended again only by a ChannelDestroyed
// after a StasisEnd (the true end replaces the app stream's).
void EndCall(RowEdits& rows, Call& call, const CallEnd& end);

// The call's channel entered Stasis again: an ended call is live again
// (suhbatda if it had been connected), its end columns cleared.
void Reopen(RowEdits& rows, Call& call);

}  // namespace callledger::fold
