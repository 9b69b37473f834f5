// GET /api/agents (issue 14): each agent's calls over a period and what it
// is doing now (core/call_stats.h, AgentNow). Three statements in the
// caller's read transaction: the period's calls by agent, the calls in
// conversation now, the calls ringing now; the live ones are read through
// call_logs_live_idx (status <> 'yakunlandi').
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "core/utc_time.h"
#include "pg/pg_call_stats.h"
#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

// $1, $2 the period; $3 the node, when one.
std::string NodeFilter(bool one_node, std::string_view alias) {
  return one_node ? " AND " + std::string(alias) + "node = $3" : "";
}

std::string PeriodSql(bool one_node) {
  return "SELECT agent, count(*), count(*) FILTER (WHERE answered),"
         " coalesce((extract(epoch FROM sum(end_time - answer_time)"
         " FILTER (WHERE answered AND status = 'yakunlandi')) * 1000000)::bigint, 0)"
         " FROM call_logs WHERE agent IS NOT NULL AND start_time >= " +
         TimeParam(1) + " AND start_time < " + TimeParam(2) + NodeFilter(one_node, "") +
         " GROUP BY agent";
}

// In conversation now: the agent it was transferred to, else its agent.
// The other side: the caller, or for an outbound call the number dialled.
// $1 the node, when one.
std::string TalkingSql(bool one_node) {
  return "SELECT coalesce(transferred_to, agent), call_id, node,"
         " CASE WHEN direction = 'chiquvchi' THEN to_number ELSE from_number END, " +
         TimeSql("answer_time") +
         " FROM call_logs WHERE status = 'suhbatda' AND coalesce(transferred_to, agent) IS NOT "
         "NULL" +
         (one_node ? " AND node = $1" : "");
}

// Ringing now: a leg still ringing for a live inbound call (or one without
// a direction: an outbound call's legs are far ends, not agents), and an
// agent's outbound call not answered yet. rung_at is stored with µs.
std::string RingingSql(bool one_node) {
  const std::string node = one_node ? " AND c.node = $1" : "";
  return "SELECT e->>'endpoint', c.call_id, c.node, c.from_number, e->>'rung_at'"
         " FROM call_logs c CROSS JOIN LATERAL jsonb_array_elements(c.agents_tried) e"
         " WHERE c.status = 'kelyapti' AND c.direction IS DISTINCT FROM 'chiquvchi'"
         " AND e->>'outcome' = 'ringing' AND e->>'endpoint' <> ''" +
         node + " UNION ALL SELECT c.agent, c.call_id, c.node, c.to_number, " +
         TimeSql("c.start_time") +
         " FROM call_logs c WHERE c.status = 'kelyapti' AND c.direction = 'chiquvchi'"
         " AND c.agent IS NOT NULL" +
         node;
}

// TimeSql's text, or an ISO 8601 one (agents_tried's rung_at).
std::optional<std::int64_t> ReadTime(const std::string& text) {
  if (const auto t = ParseTimestamp(text.c_str())) return t;
  return ParseIsoTimestamp(text);
}

// Whether a call begun at `since_us` makes a better "now" than the one kept:
// the latest begun, ties by call id then node (bytewise) for a stable answer.
bool Later(const AgentNow& kept, std::int64_t since_us, const std::string& call_id,
           const std::string& node) {
  if (since_us != kept.since_us) return since_us > kept.since_us;
  if (call_id != kept.call_id) return call_id > kept.call_id;
  return node > kept.node;
}

}  // namespace

Result<AgentList> QueryAgents(pqxx::transaction_base& tx, const AgentsQuery& query) {
  ASSIGN_OR_RETURN(const auto period, ResolvePeriod(tx, query.period));
  const bool one_node = query.node.has_value();
  std::map<std::string, AgentNow> by_agent;
  const auto agent = [&](const std::string& name) -> AgentNow& {
    AgentNow& a = by_agent[name];
    a.agent = name;
    return a;
  };
  const pqxx::result counted =
      one_node ? tx.exec_params(PeriodSql(true), period.first, period.second, *query.node)
               : tx.exec_params(PeriodSql(false), period.first, period.second);
  for (const auto& row : counted) {
    AgentNow& a = agent(row[0].as<std::string>());
    a.calls = row[1].as<std::int64_t>();
    a.answered = row[2].as<std::int64_t>();
    a.talk_us = row[3].as<std::int64_t>();
  }
  // What each is doing now: talking first, so that it wins over ringing.
  for (const AgentState state : {AgentState::kTalking, AgentState::kRinging}) {
    const std::string sql =
        state == AgentState::kTalking ? TalkingSql(one_node) : RingingSql(one_node);
    const pqxx::result now = one_node ? tx.exec_params(sql, *query.node) : tx.exec(sql);
    for (const auto& row : now) {
      const std::string call_id = row[1].as<std::string>();
      const std::string node = row[2].as<std::string>();
      std::int64_t since_us = 0;
      if (!row[4].is_null()) {
        const std::string text = row[4].as<std::string>();
        const std::optional<std::int64_t> t = ReadTime(text);
        if (!t) return DataLoss("unreadable time '" + text + "' of call " + call_id);
        since_us = *t;
      }
      AgentNow& a = agent(row[0].as<std::string>());
      if (a.state != AgentState::kIdle &&
          (a.state != state || !Later(a, since_us, call_id, node))) {
        continue;
      }
      a.state = state;
      a.call_id = call_id;
      a.node = node;
      a.with_number = row[3].is_null() ? std::string() : row[3].as<std::string>();
      a.since_us = since_us;
    }
  }
  AgentList out;
  out.since_us = period.first;
  out.until_us = period.second;
  for (auto& [name, a] : by_agent) out.agents.push_back(std::move(a));
  return out;
}

}  // namespace callledger::pg
