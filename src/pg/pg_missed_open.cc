#include "pg/pg_missed_open.h"

#include <map>
#include <pqxx/pqxx>
#include <set>

#include "pg/pg_row_codec.h"

namespace callledger::pg {
namespace {

constexpr std::string_view kIncoming = "kiruvchi";
constexpr std::string_view kOutgoing = "chiquvchi";

// The open missed calls of call_logs (aliased m) that have a number and a
// start time, with `where` ANDed in. Each NOT EXISTS fixes the number and
// `answered` and bounds start_time from below, so with call_logs_from_idx
// and call_logs_to_idx (number, answered, start_time) it is one index descent
// per partition that stops at the first entry (the direction is checked on
// the heap, and a customer's number is almost never on the other side).
std::string OpenMissedSelect(std::string_view where) {
  return "SELECT m.node, m.call_id, m.from_number, m.start_time FROM call_logs m"
         " WHERE m.direction = 'kiruvchi' AND NOT m.answered AND m.status = 'yakunlandi'"
         " AND m.from_number IS NOT NULL AND m.start_time IS NOT NULL AND " +
         std::string(where) +
         " AND NOT EXISTS (SELECT 1 FROM call_logs c WHERE c.to_number = m.from_number"
         " AND c.answered AND c.start_time > m.start_time AND c.direction = 'chiquvchi')"
         " AND NOT EXISTS (SELECT 1 FROM call_logs c WHERE c.from_number = m.from_number"
         " AND c.answered AND c.start_time > m.start_time AND c.direction = 'kiruvchi')";
}

constexpr const char* kInsert = "INSERT INTO missed_open (node, call_id, from_number, start_time) ";

// A PostgreSQL array literal ({"a","b"}) for a text[] or timestamptz[]
// parameter; libpqxx 6.4 has no conversion for arrays. Every element is
// quoted, so only '"' and '\' need escaping (the store refuses NUL bytes).
std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    out += out.size() == 1 ? "\"" : ",\"";
    for (char ch : v) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

bool SameMissed(const MissedOpenUpkeep::Facts* a, const MissedOpenUpkeep::Facts& b) {
  return a != nullptr && a->missed_number == b.missed_number && a->missed_us == b.missed_us;
}

template <typename Map>
const MissedOpenUpkeep::Facts* Find(const Map& map, std::string_view key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

std::string_view MissedOpenDefinitionSql() {
  static const std::string kSql = OpenMissedSelect("true");
  return kSql;
}

void RecomputeMissedOpen(pqxx::transaction_base& tx, std::string_view rows) {
  const std::string from(rows);
  tx.exec("DELETE FROM missed_open");
  // Set-based rather than OpenMissedSelect's probes: each number's last
  // contact, from one pass over call_logs, hash-joined to the missed calls.
  // On 1M rows (2 cores) 1.1-1.2 s against 1.3 s for the NOT EXISTS form,
  // which the planner runs as hash/merge anti joins over two full scans
  // anyway. Tests compare the two.
  tx.exec(std::string(kInsert) + "SELECT m.node, m.call_id, m.from_number, m.start_time FROM " +
          from +
          " m"
          " LEFT JOIN (SELECT CASE WHEN direction = 'chiquvchi' THEN to_number"
          " ELSE from_number END AS number, max(start_time) AS last_contact"
          " FROM " +
          from +
          " c WHERE answered AND direction IN ('chiquvchi', 'kiruvchi')"
          " GROUP BY 1) l ON l.number = m.from_number"
          " WHERE m.direction = 'kiruvchi' AND NOT m.answered AND m.status = 'yakunlandi'"
          " AND m.from_number IS NOT NULL AND m.start_time IS NOT NULL"
          " AND (l.last_contact IS NULL OR l.last_contact <= m.start_time)");
}

MissedOpenUpkeep::Facts MissedOpenUpkeep::FactsOf(std::string_view direction,
                                                  std::string_view from_number,
                                                  std::string_view to_number, std::int64_t start_us,
                                                  bool answered, bool finished) {
  Facts f;
  if (start_us == 0) return f;  // NULL: neither a contact after anything nor in a period
  if (answered) {
    const std::string_view number = direction == kOutgoing   ? to_number
                                    : direction == kIncoming ? from_number
                                                             : std::string_view();
    f.contact_number = number;
    f.contact_us = number.empty() ? 0 : start_us;
  } else if (direction == kIncoming && finished && !from_number.empty()) {
    f.missed_number = from_number;
    f.missed_us = start_us;
  }
  return f;
}

void MissedOpenUpkeep::ReadBefore(pqxx::transaction_base& tx,
                                  std::span<const RowChange* const> upserts,
                                  std::span<const std::string* const> deletes) {
  before_.clear();
  std::vector<std::string> keys;
  keys.reserve(upserts.size() + deletes.size());
  for (const RowChange* ch : upserts) keys.push_back(ch->row.call_id);
  for (const std::string* k : deletes) keys.push_back(*k);
  if (keys.empty()) return;
  // Only rows that can have facts: answered ones and finished inbound ones.
  const pqxx::result res =
      tx.exec_params("SELECT call_id, direction, from_number, to_number, " + TimeSql("start_time") +
                         ", answered, status = 'yakunlandi' FROM call_logs"
                         " WHERE node = $1 AND call_id = ANY ($2::text[])"
                         " AND (answered OR (direction = 'kiruvchi' AND status = 'yakunlandi'))",
                     node_, ArrayLiteral(keys));
  const auto text = [](const pqxx::field& f) { return f.is_null() ? "" : f.c_str(); };
  for (const auto& row : res) {
    std::int64_t start_us = 0;
    if (!row[4].is_null()) {
      const auto t = ParseTimestamp(row[4].c_str());
      if (!t)
        throw pqxx::data_exception("unreadable start_time of call " + row[0].as<std::string>());
      start_us = *t;
    }
    Facts f = FactsOf(text(row[1]), text(row[2]), text(row[3]), start_us, row[5].as<bool>(),
                      row[6].as<bool>());
    if (f.contact() || f.missed()) before_.emplace_back(row[0].as<std::string>(), std::move(f));
  }
}

void MissedOpenUpkeep::Apply(pqxx::transaction_base& tx,
                             std::span<const RowChange* const> upserts) {
  const std::map<std::string_view, Facts> before(before_.begin(), before_.end());
  std::map<std::string_view, Facts> after;
  for (const RowChange* ch : upserts) {
    const CallRow& r = ch->row;
    Facts f = FactsOf(r.direction, r.from_number, r.to_number, r.start_us, r.answered,
                      r.status == CallStatus::kFinished);
    if (f.contact() || f.missed()) after.emplace(r.call_id, std::move(f));
  }

  // What changed. A key whose facts stayed the same needs nothing: its
  // missed_open row (if any) is still right, and so is every other row.
  std::set<std::string> locks;          // every number whose facts or rows we touch
  std::vector<std::string> stale_keys;  // keys whose missed_open row may be wrong now
  std::set<std::string> recompute;      // numbers that lost a contact (or had it moved earlier)
  std::vector<std::string> contact_numbers, contact_times;  // contacts new or moved
  std::vector<std::string> missed_keys;                     // missed calls new or changed
  for (const auto& [key, old] : before) {
    const Facts* now = Find(after, key);
    if (old.missed() && !SameMissed(now, old)) {
      locks.insert(old.missed_number);
      stale_keys.emplace_back(key);
    }
    // A contact that moved later still resolves everything it did.
    if (old.contact() && !(now != nullptr && now->contact_number == old.contact_number &&
                           now->contact_us >= old.contact_us)) {
      locks.insert(old.contact_number);
      recompute.insert(old.contact_number);
    }
  }
  for (const auto& [key, now] : after) {
    const Facts* old = Find(before, key);
    if (now.missed() && !SameMissed(old, now)) {
      locks.insert(now.missed_number);
      missed_keys.emplace_back(key);
    }
    if (now.contact() && !(old != nullptr && old->contact_number == now.contact_number &&
                           old->contact_us == now.contact_us)) {
      locks.insert(now.contact_number);
      contact_numbers.push_back(now.contact_number);
      contact_times.push_back(FormatTimestamp(now.contact_us));
    }
  }
  if (locks.empty()) return;

  // 1. The numbers' locks, in the order of their keys (so two batches
  // sharing numbers never wait for each other in a cycle), taken by one
  // statement of their own: the statements below then see what any batch
  // that held one of them before us committed. The sorted subquery is
  // fenced (OFFSET 0) so that the locks are taken in its order.
  tx.exec_params(
      "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT"
      " hashtextextended('missed_open ' || n, 0) AS k FROM unnest($1::text[]) AS u(n)"
      " ORDER BY k OFFSET 0) s",
      ArrayLiteral({locks.begin(), locks.end()}));
  // 2. Rows of missed calls that changed or went away.
  if (!stale_keys.empty()) {
    tx.exec_params("DELETE FROM missed_open WHERE node = $1 AND call_id = ANY ($2::text[])", node_,
                   ArrayLiteral(stale_keys));
  }
  // 3. Numbers that lost a contact: their missed calls before it may be open
  // again, on any node. Recomputed whole (rare: the projector never takes an
  // answer back; a rebuild or a deleted row can).
  if (!recompute.empty()) {
    const std::string numbers = ArrayLiteral({recompute.begin(), recompute.end()});
    tx.exec_params("DELETE FROM missed_open WHERE from_number = ANY ($1::text[])", numbers);
    tx.exec_params(
        kInsert + OpenMissedSelect("m.from_number = ANY ($1::text[])") + " ON CONFLICT DO NOTHING",
        numbers);
  }
  // 4. New contacts resolve the missed calls of their number before them.
  if (!contact_numbers.empty()) {
    tx.exec_params(
        "DELETE FROM missed_open o USING unnest($1::text[], $2::timestamptz[]) AS c(number, t)"
        " WHERE o.from_number = c.number AND o.start_time < c.t",
        ArrayLiteral(contact_numbers), ArrayLiteral(contact_times));
  }
  // 5. New missed calls, unless someone already reached the number (step 3
  // may have inserted some of them).
  if (!missed_keys.empty()) {
    tx.exec_params(kInsert + OpenMissedSelect("m.node = $1 AND m.call_id = ANY ($2::text[])") +
                       " ON CONFLICT DO NOTHING",
                   node_, ArrayLiteral(missed_keys));
  }
}

}  // namespace callledger::pg
