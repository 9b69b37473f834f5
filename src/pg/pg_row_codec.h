// How a CallRow travels to and from PostgreSQL's call_logs, shared by the
// store (writes) and the reader (reads). Internal to src/pg.
//
// Times: CallRow times are UTC microseconds, 0 = NULL; they are written as
// timestamptz text with an explicit +00 offset and read back through
// to_char(... AT TIME ZONE 'UTC'), both exact to the microsecond.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <pqxx/row>
#include <string>
#include <string_view>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"

namespace callledger::pg {

// The call_logs columns in table order (= projection::RowColumns()).
inline constexpr std::array<const char*, 29> kColumns = {
    "call_id",    "direction",   "from_number",  "to_number",         "start_time",
    "end_time",   "duration",    "status",       "recording_path",    "channel_id",
    "node",       "caller_name", "answer_time",  "ring_seconds",      "talk_seconds",
    "answered",   "disposition", "hangup_cause", "hangup_cause_txt",  "end_estimated",
    "args_ok",    "first_seq",   "last_seq",     "projector_version", "evidence",
    "end_reason", "agent",       "agents_tried", "transferred_to"};

// "2026-11-26 09:15:58.161000+00": exact, whatever the session's TimeZone
// and DateStyle are (ISO input is accepted under every DateStyle).
std::string FormatTimestamp(std::int64_t us);

// Parses what TimeSql() produces: "YYYY-MM-DD HH:MM:SS.ffffff" in UTC.
std::optional<std::int64_t> ParseTimestamp(const char* text);

// An expression reading timestamptz `column` as UTC text with microseconds.
std::string TimeSql(std::string_view column);

// A timestamptz expression for UTC microseconds bound as bigint parameter
// $n: exact, independent of the session's TimeZone.
std::string TimeParam(int n);

// "call_id, direction, ..." in kColumns order.
std::string ColumnList();
// The same, with `prefix` ("c.") before each column and times through
// TimeSql, in the order ReadRow expects starting at its `first` field.
std::string SelectList(std::string_view prefix = "");

// Decodes a row selected with SelectList(), starting at field `first`.
// kDataLoss for a status, evidence, end_reason, agents_tried or time this
// build cannot read.
Result<CallRow> ReadRow(const pqxx::row& fields, int first = 0);

// What a libpqxx exception means to the caller (call from a catch block
// only). `drop_connection` is set when the connection is no longer usable.
struct PgFailure {
  Status status;
  bool drop_connection = false;
};
PgFailure ClassifyCurrentException(std::string_view what);

// agents_tried as call_logs keeps it (jsonb; core/agent_attempts.h), read
// back. kDataLoss for text of another shape.
Result<std::vector<AgentAttempt>> ParseAgentsTried(std::string_view json,
                                                   const std::string& call_id);

}  // namespace callledger::pg
