// Supervisor figures over a period of the call log (DESIGN 6, issue 5):
// the KPIs of `GET /api/stats` and the missed calls of `GET /api/missed`.
// Plain values; a CallLogReader (core/call_log_reader.h) computes them.
//
// Definitions (over calls whose start_time is in [since, until); a call
// without a start time is in no period):
//   offered          every call, live ones included
//   answered         answered = true (connected at least once; live too)
//   abandoned        inbound ("kiruvchi"), finished, never answered. These
//                    are exactly the rows the projector gives disposition
//                    "abandoned" (core/call_rules.cc) and the missed calls of
//                    MissedQuery; counted from direction, status and
//                    answered so that the two can never disagree. Outbound
//                    calls never connected are busy/no_answer/..., not
//                    abandoned.
//   abandon_rate     abandoned / offered of the same group (the inbound
//                    rate is by_direction["kiruvchi"])
//   avg_ring_seconds mean of (answer_time - start_time) over answered calls
//                    (speed of answer), live ones included
//   avg_talk_seconds mean of (end_time - answer_time) over answered, finished calls
//   service_level    share of offered calls answered within
//                    service_level_seconds of their start
//                    (answer_time - start_time <= N s: exactly N s is within)
// Means come from the exact microsecond times (not the rounded ring_seconds
// and talk_seconds columns) and are rounded to whole milliseconds, half away
// from zero; ratios are not rounded. Ratios and means are empty when nothing
// is there to divide by. A call whose direction is NULL counts in the total
// only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_row.h"

namespace callledger {

// A period of start times. Without `since`/`until` the period is the day
// (local midnight to midnight) that contains "now" in `zone`, an IANA zone
// name such as "Asia/Tashkent": the PBX's day. When only one of them is
// given the other comes from that day too: `since` alone runs to the end of
// today, `until` alone starts at today's midnight. The zone is consulted
// (and must be known) only when a bound is missing.
struct StatsPeriod {
  std::optional<std::int64_t> since_us;
  std::optional<std::int64_t> until_us;
  std::string zone = "UTC";

  bool operator==(const StatsPeriod&) const = default;
};

struct StatsQuery {
  StatsPeriod period;
  int service_level_seconds = 20;
  std::optional<std::string> node;  // one PBX's calls; none: every node's
};

struct CallFigures {
  std::int64_t offered = 0;
  std::int64_t answered = 0;
  std::int64_t abandoned = 0;
  std::optional<double> abandon_rate;
  std::optional<double> avg_ring_seconds;
  std::optional<double> avg_talk_seconds;
  std::optional<double> service_level;

  bool operator==(const CallFigures&) const = default;
};

struct CallStats {
  std::int64_t since_us = 0;  // the period actually used
  std::int64_t until_us = 0;
  int service_level_seconds = 0;
  CallFigures total;
  std::map<std::string, CallFigures> by_direction;  // "kiruvchi", "chiquvchi" (always both)
  std::map<std::string, CallFigures> by_node;       // every node with a call in the period
};

// The period's calls in groups (GET /api/stats?group_by=...&interval=...,
// issue 14): by one column, by the hour or day they started in the PBX's
// zone, or both. Each group has the CallFigures above (over its calls) and
//   missed                abandoned calls nobody has reached yet: no answered
//                         callback and no answered later call (missed_open,
//                         core/call_stats.h MissedCall::resolved; a call
//                         without a number is always open)
//   longest_wait_seconds  the longest a caller waited before an answer or
//                         hanging up: the largest answer_time (else
//                         end_time) - start_time; calls still ringing do not
//                         count. Whole milliseconds, like the means.
enum class StatsGroup : std::uint8_t {
  kAgent,      // "agent": who took the call (NULL: nobody, e.g. abandoned)
  kDirection,  // "direction"
  kToNumber,   // "to_number": the line dialled, the queue a call center thinks in
  kNode,       // "node"
};
std::string_view StatsGroupName(StatsGroup g);
std::optional<StatsGroup> StatsGroupFromName(std::string_view name);

enum class StatsInterval : std::uint8_t { kHour, kDay };  // "hour", "day"
std::string_view StatsIntervalName(StatsInterval i);
std::optional<StatsInterval> StatsIntervalFromName(std::string_view name);

struct GroupedStatsQuery {
  StatsQuery stats;  // the period (and the zone of its hours and days), service level, node
  std::optional<StatsGroup> group_by;
  std::optional<StatsInterval> interval;
};

struct StatsGroupFigures {
  // The group's value of group_by's column; nullopt for its NULL (and
  // without group_by).
  std::optional<std::string> key;
  // The start of its hour or day, local wall time in the zone,
  // "2026-11-26T14:00"; empty without an interval.
  std::string interval_start;
  CallFigures figures;
  std::int64_t missed = 0;
  std::optional<double> longest_wait_seconds;

  bool operator==(const StatsGroupFigures&) const = default;
};

struct GroupedStats {
  std::int64_t since_us = 0;  // the period actually used
  std::int64_t until_us = 0;
  int service_level_seconds = 0;
  // Groups with at least one call, by interval then key (bytewise, NULL last).
  std::vector<StatsGroupFigures> groups;
};

// GET /api/agents (issue 14): each agent's calls over a period and what
// the agent is doing now, as far as the ledger knows:
//   talking  the agent of a call in conversation now (after a transfer, the
//            agent it was transferred to)
//   ringing  a leg to the agent is ringing for a live inbound call, or the
//            agent's outbound call is not answered yet
//   idle     neither (an agent is listed when it has calls in the period or
//            is busy now)
// Talking wins over ringing; with several calls, the latest begun.
// Over the period (calls by start_time, as StatsQuery): calls taken (the
// rows whose agent it is, live ones included), answered, and the talk time
// of the answered, finished ones (answer to end; a transferred call's talk
// counts for its first agent).
enum class AgentState : std::uint8_t { kIdle, kRinging, kTalking };
std::string_view AgentStateName(AgentState s);  // "idle", "ringing", "talking"

struct AgentNow {
  std::string agent;
  AgentState state = AgentState::kIdle;
  // The call that makes it busy (empty when idle): its id, node, the number
  // of the other side (the caller; for an outbound call, the number
  // dialled), and since when (the answer; the ring's start).
  std::string call_id;
  std::string node;
  std::string with_number;
  std::int64_t since_us = 0;
  std::int64_t calls = 0;
  std::int64_t answered = 0;
  std::int64_t talk_us = 0;

  bool operator==(const AgentNow&) const = default;
};

struct AgentsQuery {
  StatsPeriod period;
  std::optional<std::string> node;  // one PBX's calls; none: every node's
};

struct AgentList {
  std::int64_t since_us = 0;  // the period actually used
  std::int64_t until_us = 0;
  std::vector<AgentNow> agents;  // by agent, bytewise
};

// What became of a missed call's number afterwards.
struct FollowUp {
  std::string call_id;
  std::string node;
  std::int64_t start_us = 0;
  bool answered = false;

  bool operator==(const FollowUp&) const = default;
};

// An inbound call that finished without being answered (one counted as
// abandoned). `callback` is the first answered outbound call to its
// from_number that started after it or, when none of those was answered,
// the first of them (an attempt that did not reach the caller): agents
// retry, and a caller reached on the second attempt has been called back.
// `answered_later` is the first answered inbound call from that number
// after it. Both are looked for on every node, live calls included, and
// also after the period's end (also when the query names one node: a
// caller called back from another PBX has been called back); numbers are
// compared exactly as stored. The call is resolved when either reached the
// caller (an answered callback or an answered later call);
// `FollowUp::answered` is the follow-up's own `answered`.
struct MissedCall {
  CallRow call;
  std::optional<FollowUp> callback;
  std::optional<FollowUp> answered_later;
  bool resolved = false;
};

struct MissedQuery {
  StatsPeriod period;
  bool only_open = false;           // only calls not resolved
  int limit = 100;                  // newest first, at most this many
  std::optional<std::string> node;  // one PBX's missed calls; none: every node's
};

struct MissedList {
  std::int64_t since_us = 0;  // the period actually used
  std::int64_t until_us = 0;
  std::vector<MissedCall> items;
};

}  // namespace callledger
