#include "projection/row_format.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>

#include "core/agent_attempts.h"
#include "core/utc_time.h"

namespace callledger::projection {
namespace json = boost::json;
namespace {

json::value Time(std::int64_t us) {
  return us == 0 ? json::value(nullptr) : json::value(FormatUtcMillis(us));
}
json::value Text(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
template <typename T>
json::value Opt(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object RowObject(const CallRow& r) {
  json::object o;
  o["call_id"] = r.call_id;
  o["direction"] = Text(r.direction);
  o["from_number"] = Text(r.from_number);
  o["to_number"] = Text(r.to_number);
  o["start_time"] = Time(r.start_us);
  o["end_time"] = Time(r.end_us);
  o["duration"] = Opt(r.duration_s);
  o["status"] = CallStatusName(r.status);
  o["recording_path"] = Text(r.recording_path);
  o["channel_id"] = r.channel_id;
  o["node"] = r.node;
  o["caller_name"] = Text(r.caller_name);
  o["answer_time"] = Time(r.answer_us);
  o["ring_seconds"] = Opt(r.ring_s);
  o["talk_seconds"] = Opt(r.talk_s);
  o["answered"] = r.answered;
  o["disposition"] = Text(r.disposition);
  o["hangup_cause"] = Opt(r.hangup_cause);
  o["hangup_cause_txt"] = Text(r.hangup_cause_txt);
  o["end_estimated"] = r.end_estimated;
  o["args_ok"] = r.args_ok;
  o["first_seq"] = r.first_seq.value;
  o["last_seq"] = r.last_seq.value;
  o["projector_version"] = r.projector_version;
  // Added with projector version 3, at the end so that CSV readers that go
  // by position (and `SELECT *` on call_logs) see the older columns where
  // they were.
  o["evidence"] = EvidenceName(r.evidence);
  o["end_reason"] = Text(std::string(EndReasonName(r.end_reason)));
  // Added with projector version 9 (docs/projection.md, "Agents").
  o["agent"] = Text(r.agent);
  o["agents_tried"] = json::parse(AgentsTriedJson(r.agents_tried, TimePrecision::kMillis));
  o["transferred_to"] = Text(r.transferred_to);
  return o;
}

std::string FieldText(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Display width of UTF-8 text: one column per code point.
std::size_t Width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace

const std::vector<std::string>& RowColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> cols;
    for (const auto& kv : RowObject(CallRow{})) cols.emplace_back(kv.key());
    return cols;
  }();
  return kColumns;
}

std::vector<std::pair<std::string, std::string>> RowFields(const CallRow& row) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : RowObject(row))
    out.emplace_back(std::string(kv.key()), FieldText(kv.value()));
  return out;
}

std::string RowToJson(const CallRow& row) { return json::serialize(RowObject(row)); }

std::string RowsToJson(const std::vector<CallRow>& rows) {
  if (rows.empty()) return "[]\n";
  std::string out = "[\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += "  " + RowToJson(rows[i]);
    out += i + 1 < rows.size() ? ",\n" : "\n";
  }
  return out + "]\n";
}

// Written field by field, without RowObject: the API streams exports of
// millions of rows through this, and a JSON object per row was most of the
// cost. The fields and their text are those of RowObject/RowFields; NULL is
// an empty field (and a text that reads "null" stays "null"), except
// agents_tried, which a spreadsheet shows as "101 no_answer; 103 answered"
// (core/agent_attempts.h) rather than as JSON.
static void AppendCsvRow(std::string& out, const CallRow& r) {
  bool first = true;
  const auto next = [&] {
    if (!first) out += ',';
    first = false;
  };
  const auto text = [&](const std::string& v) { next(), out += CsvField(v); };
  const auto time = [&](std::int64_t us) {
    next(), out += us == 0 ? std::string() : FormatUtcMillis(us);
  };
  const auto number = [&](const auto& v) { next(), out += v ? std::to_string(*v) : std::string(); };
  const auto whole = [&](auto v) { next(), out += std::to_string(v); };
  const auto flag = [&](bool b) { next(), out += b ? "true" : "false"; };
  text(r.call_id);
  text(r.direction);
  text(r.from_number);
  text(r.to_number);
  time(r.start_us);
  time(r.end_us);
  number(r.duration_s);
  text(std::string(CallStatusName(r.status)));
  text(r.recording_path);
  text(r.channel_id);
  text(r.node);
  text(r.caller_name);
  time(r.answer_us);
  number(r.ring_s);
  number(r.talk_s);
  flag(r.answered);
  text(r.disposition);
  number(r.hangup_cause);
  text(r.hangup_cause_txt);
  flag(r.end_estimated);
  flag(r.args_ok);
  whole(r.first_seq.value);
  whole(r.last_seq.value);
  whole(r.projector_version);
  next(), out += EvidenceName(r.evidence);     // names need no CSV quoting
  next(), out += EndReasonName(r.end_reason);  // kNone (NULL) is ""
  text(r.agent);
  text(AgentsTriedText(r.agents_tried));
  text(r.transferred_to);
  out += "\r\n";
}

std::string RowsToCsv(const std::vector<CallRow>& rows) {
  std::string out;
  const auto& cols = RowColumns();
  for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + cols[i];
  out += "\r\n";
  out.reserve(out.size() + rows.size() * 320);
  for (const auto& r : rows) AppendCsvRow(out, r);
  return out;
}

std::string RowsToTable(const std::vector<CallRow>& rows) {
  const std::vector<std::string> cols = {"call_id",    "direction",   "from_number",   "to_number",
                                         "start_time", "end_time",    "duration",      "status",
                                         "answered",   "disposition", "hangup_cause",  "end_reason",
                                         "evidence",   "agent",       "recording_path"};
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    std::map<std::string, std::string> f;
    for (auto& [k, v] : RowFields(r)) f[k] = v == "null" ? "-" : v;
    std::vector<std::string> line;
    for (const auto& c : cols) line.push_back(f[c]);
    cells.push_back(std::move(line));
  }
  std::vector<std::size_t> width(cols.size());
  for (std::size_t i = 0; i < cols.size(); ++i) {
    width[i] = Width(cols[i]);
    for (const auto& line : cells) width[i] = std::max(width[i], Width(line[i]));
  }
  auto emit = [&](const std::vector<std::string>& line) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - Width(line[i]) + 2, ' ');
    }
    return out + "\n";
  };
  std::string out = emit(cols);
  for (const auto& line : cells) out += emit(line);
  out += std::to_string(rows.size()) + (rows.size() == 1 ? " call\n" : " calls\n");
  return out;
}

Result<std::string> DiffRowsJson(const std::vector<CallRow>& actual,
                                 const std::string& expected_json) {
  json::error_code ec;
  json::value expected = json::parse(expected_json, ec);
  if (ec || !expected.is_array())
    return InvalidInput("expected rows are not a JSON array: " + ec.message());
  std::map<std::string, std::map<std::string, std::string>> want, got;
  std::vector<std::string> order;
  for (const auto& v : expected.as_array()) {
    if (!v.is_object() || !v.as_object().contains("call_id"))
      return InvalidInput("an expected row has no call_id");
    const std::string id = FieldText(v.as_object().at("call_id"));
    for (const auto& kv : v.as_object()) want[id][std::string(kv.key())] = FieldText(kv.value());
    order.push_back(id);
  }
  for (const auto& r : actual) {
    for (auto& [k, v] : RowFields(r)) got[r.call_id][k] = v;
    if (want.count(r.call_id) == 0) order.push_back(r.call_id);
  }
  std::string diff;
  for (const auto& id : order) {
    auto w = want.find(id);
    auto g = got.find(id);
    if (g == got.end()) {
      diff += "- missing row call_id=" + id + "\n";
      continue;
    }
    if (w == want.end()) {
      diff += "+ unexpected row call_id=" + id + "\n";
      continue;
    }
    std::string row_diff;
    for (const auto& col : RowColumns()) {
      const std::string wv = w->second.count(col) ? w->second.at(col) : "(absent)";
      const std::string gv = g->second.at(col);
      if (wv != gv) row_diff += "    " + col + ": expected " + wv + ", got " + gv + "\n";
    }
    if (!row_diff.empty()) diff += "~ call_id=" + id + "\n" + row_diff;
  }
  return diff;
}

}  // namespace callledger::projection
