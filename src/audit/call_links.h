// One call's history for auditors: the records of the call's channel and of
// the channels linked to it, in seq order.
//
// `id` is a channel id or a call id (a non-empty Stasis args[0], or the
// CALL_ID channel variable). Linked channels are found from the ledger's
// indexes and payloads only:
// - the call channel's Local-channel other half (`;1` <-> `;2`);
// - channels mentioned in the same record as the call channel (Dial peer and
//   caller, transfer legs);
// - channels that entered a bridge the call channel was in;
// - channels whose Stasis arguments name the call channel (legs the
//   application originated for it: ["agent", <call channel id>]);
// - legs an application originated for it that never entered Stasis (a
//   hunt's agents that did not answer): dialled without a caller while the
//   call channel was about, created after it, with its caller's number as
//   their connected line (docs/projection.md, "Agents");
// and the Local other half of each of those. Links are followed one step from
// the call channel, not transitively, so a shared holding bridge cannot pull
// in the whole day's calls through other calls' legs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event_log.h"

namespace callledger::audit {

struct LinkedChannel {
  std::string id;
  std::string name;  // from the channel snapshot in its first record, if any
  // "call", "local other half", "same event", "shared bridge", "originated
  // for call", "rung for call"
  std::string role;
};

struct CallHistory {
  std::string query;
  std::string resolved_as;              // "channel id" or "call id"
  std::vector<LinkedChannel> channels;  // call channel(s) first
  std::vector<std::string> bridges;
  std::vector<Seq> seqs;  // ascending, unique
};

// kNotFound when neither index knows `id`. Errors of the ledger pass through
// unchanged: kDataLoss when a record it reads is damaged, including one it
// only scans past while looking for a Local other half (a history that
// silently lacks a leg would mislead an auditor).
Result<CallHistory> CollectCall(const EventLog& log, std::string_view id);

}  // namespace callledger::audit
