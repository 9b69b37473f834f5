#include "replay/row_agreement.h"

#include <boost/json.hpp>

#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "ari/event_decoder.h"
#include "core/utc_time.h"
#include "payload/record_line.h"
#include "projection/row_format.h"

namespace callledger::replay {
namespace json = boost::json;
namespace {

constexpr std::string_view kNull = "null";

// How a column is compared (the header's rule).
enum class Rule {
  kExact,
  kSkipped,     // first_seq, last_seq
  kEvidence,    // ari | cel
  kCelTime,     // within kCelTimeTolerance on cel rows
  kCelSeconds,  // within kCelSecondsTolerance on cel rows
  kRecording,   // equal, or NULL for a hidden ARI recording
  kLegs,        // agents_tried: the uncut legs, some perhaps missing, outcomes or unknown
};

Rule RuleOf(std::string_view column) {
  static const std::map<std::string, Rule, std::less<>> kRules = {
      {"first_seq", Rule::kSkipped},       {"last_seq", Rule::kSkipped},
      {"evidence", Rule::kEvidence},       {"start_time", Rule::kCelTime},
      {"answer_time", Rule::kCelTime},     {"end_time", Rule::kCelTime},
      {"duration", Rule::kCelSeconds},     {"ring_seconds", Rule::kCelSeconds},
      {"talk_seconds", Rule::kCelSeconds}, {"recording_path", Rule::kRecording},
      {"agents_tried", Rule::kLegs}};
  auto it = kRules.find(column);
  return it == kRules.end() ? Rule::kExact : it->second;
}

// A row's columns by name, and its call id.
struct Keyed {
  std::string call_id;
  std::map<std::string, std::string, std::less<>> columns;
};

Keyed Key(const RowText& row) {
  Keyed k;
  for (const auto& [column, value] : row) {
    if (column == "call_id") k.call_id = value;
    k.columns.emplace(column, value);
  }
  return k;
}

std::optional<std::int64_t> Integer(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Whether `a` and `b` (both not NULL) are numbers no more than `tolerance`
// apart, read by `read`.
template <typename Read>
bool Within(std::string_view a, std::string_view b, std::int64_t tolerance, Read read) {
  const std::optional<std::int64_t> x = read(a);
  const std::optional<std::int64_t> y = read(b);
  if (!x || !y) return false;
  const std::int64_t d = *x > *y ? *x - *y : *y - *x;
  return d <= tolerance;
}

std::optional<std::int64_t> Time(std::string_view text) { return ParseIsoTimestamp(text); }

// Why the cut row's agents_tried (JSON text) breaks the kLegs rule, or "".
std::string LegsBreach(std::string_view uncut, std::string_view cut) {
  json::error_code ec_uncut, ec_cut;
  const json::value u = json::parse(uncut, ec_uncut);
  const json::value c = json::parse(cut, ec_cut);
  if (ec_uncut || ec_cut || !u.is_array() || !c.is_array()) return "not a list of legs";
  const json::array& want = u.as_array();
  std::size_t next = 0;  // the uncut leg the next cut leg may be
  for (const json::value& leg : c.as_array()) {
    if (!leg.is_object()) return "not a list of legs";
    const json::object& got = leg.as_object();
    while (next < want.size() && want[next].is_object() &&
           want[next].as_object().if_contains("channel_id") != nullptr &&
           got.if_contains("channel_id") != nullptr &&
           want[next].as_object().at("channel_id") != got.at("channel_id")) {
      ++next;
    }
    if (next == want.size()) return "a leg the uncut row does not list, or out of order";
    const json::object& w = want[next++].as_object();
    for (const char* key : {"endpoint", "rung_at"}) {
      if (w.if_contains(key) == nullptr || got.if_contains(key) == nullptr ||
          w.at(key) != got.at(key)) {
        return std::string("a leg's ") + key + " differs";
      }
    }
    const json::value* outcome = got.if_contains("outcome");
    if (outcome == nullptr || (*outcome != w.at("outcome") && *outcome != "unknown")) {
      return "a leg's outcome differs";
    }
  }
  return "";
}

// Why `cut` breaks the rule for `column`, or "" when it does not.
std::string Breach(std::string_view column, std::string_view uncut, std::string_view cut,
                   bool cel_row, bool hangup_hidden, const AgreementOptions& options) {
  const Rule rule = RuleOf(column);
  if (rule == Rule::kSkipped) return "";
  if (rule == Rule::kEvidence) {
    if (uncut != "ari") return "the uncut row must be 'ari'";
    if (cut != "ari" && cut != "cel") return "a cut row is 'ari' or 'cel'";
    return "";
  }
  if (uncut == cut) return "";
  if (rule == Rule::kLegs) return LegsBreach(uncut, cut);
  if (rule == Rule::kRecording && cut == kNull &&
      options.hidden_recordings.count(std::string(uncut)) > 0) {
    return "";
  }
  if (rule == Rule::kCelTime || rule == Rule::kCelSeconds) {
    const bool end_column = column != "start_time" && column != "answer_time";
    if (!cel_row && !(hangup_hidden && end_column)) return "not equal on an 'ari' row";
    if (uncut == kNull || cut == kNull) return "NULL on one side only";
    const std::string where = cel_row ? "on a cel row" : "on an 'ari' row whose hang-up was hidden";
    if (rule == Rule::kCelTime) {
      const auto tolerance =
          std::chrono::duration_cast<std::chrono::microseconds>(kCelTimeTolerance).count();
      if (Within(uncut, cut, tolerance, Time)) return "";
      return "more than " + std::to_string(kCelTimeTolerance.count()) + " ms apart " + where;
    }
    if (Within(uncut, cut, kCelSecondsTolerance, Integer)) return "";
    return "more than " + std::to_string(kCelSecondsTolerance) + " s apart " + where;
  }
  if (rule == Rule::kRecording && cut == kNull) {
    return "NULL, and the cut did not hide that recording's start";
  }
  return "not equal";
}

std::string Line(const std::string& call_id, std::string_view column, std::string_view uncut,
                 std::string_view cut, std::string_view why) {
  return "call " + call_id + ": " + std::string(column) + ": uncut " + std::string(uncut) +
         ", cut " + std::string(cut) + " (" + std::string(why) + ")";
}

void CompareRow(const Keyed& uncut, const Keyed& cut, const AgreementOptions& options,
                std::vector<std::string>& out) {
  const auto evidence = cut.columns.find("evidence");
  const bool cel_row = evidence != cut.columns.end() && evidence->second == "cel";
  const auto channel = cut.columns.find("channel_id");
  const bool hangup_hidden =
      channel != cut.columns.end() && options.hidden_hangups.count(channel->second) != 0;
  for (const auto& [column, value] : uncut.columns) {
    const auto other = cut.columns.find(column);
    if (other == cut.columns.end()) {
      out.push_back(Line(uncut.call_id, column, value, "(absent)", "no such column"));
      continue;
    }
    const std::string why = Breach(column, value, other->second, cel_row, hangup_hidden, options);
    if (!why.empty()) out.push_back(Line(uncut.call_id, column, value, other->second, why));
  }
  for (const auto& [column, value] : cut.columns) {
    if (uncut.columns.count(column) == 0) {
      out.push_back(Line(uncut.call_id, column, "(absent)", value, "no such column"));
    }
  }
}

std::string FieldText(const json::value& v) {
  if (v.is_null()) return std::string(kNull);
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

}  // namespace

RowText TextOf(const CallRow& row) { return projection::RowFields(row); }

std::vector<RowText> TextOf(const std::vector<CallRow>& rows) {
  std::vector<RowText> out;
  out.reserve(rows.size());
  for (const CallRow& r : rows) out.push_back(TextOf(r));
  return out;
}

Result<std::vector<RowText>> RowTextsFromJson(std::string_view text) {
  json::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec) return InvalidInput("rows are not JSON: " + ec.message());
  if (!parsed.is_array()) return InvalidInput("rows are not a JSON array");
  std::vector<RowText> out;
  for (const json::value& v : parsed.as_array()) {
    const json::object* row = v.if_object();
    if (row == nullptr) return InvalidInput("a row is not a JSON object");
    const json::value* id = row->if_contains("call_id");
    if (id == nullptr || !id->is_string()) return InvalidInput("a row has no string call_id");
    RowText r;
    for (const auto& kv : *row) r.emplace_back(std::string(kv.key()), FieldText(kv.value()));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> CompareRows(const std::vector<RowText>& uncut,
                                     const std::vector<RowText>& cut,
                                     const AgreementOptions& options) {
  std::vector<std::string> out;
  std::map<std::string, Keyed> cut_by_id;
  for (const RowText& r : cut) {
    Keyed k = Key(r);
    const std::string id = k.call_id;
    if (!cut_by_id.emplace(id, std::move(k)).second) {
      out.push_back("call " + id + ": more than one row in the cut run");
    }
  }
  std::set<std::string> seen;
  for (const RowText& r : uncut) {
    const Keyed u = Key(r);
    if (!seen.insert(u.call_id).second) {
      out.push_back("call " + u.call_id + ": more than one row in the uncut run");
      continue;
    }
    const auto c = cut_by_id.find(u.call_id);
    if (c == cut_by_id.end()) {
      out.push_back("call " + u.call_id + ": in the uncut run only");
      continue;
    }
    CompareRow(u, c->second, options, out);
  }
  for (const auto& [id, row] : cut_by_id) {
    if (seen.count(id) == 0) out.push_back("call " + id + ": in the cut run only");
  }
  return out;
}

std::vector<std::string> CompareRows(const std::vector<CallRow>& uncut,
                                     const std::vector<CallRow>& cut,
                                     const AgreementOptions& options) {
  return CompareRows(TextOf(uncut), TextOf(cut), options);
}

std::set<std::string> RecordingsStartedIn(const std::vector<std::string>& frames,
                                          std::string_view recordings_dir) {
  std::set<std::string> out;
  ari::EventDecoder decoder;
  for (const std::string& frame : frames) {
    std::string_view type;
    if (ari::LeadingStringField(frame, "type", &type) && type != "RecordingStarted") continue;
    Result<AriEvent> event = decoder.DecodeEvent(frame);
    if (!event.ok() || event->type != "RecordingStarted" || event->recording_name.empty()) continue;
    std::string path(recordings_dir);
    if (!path.empty() && path.back() != '/') path += '/';
    path += event->recording_name;
    if (!event->recording_format.empty()) path += "." + event->recording_format;
    out.insert(std::move(path));
  }
  return out;
}

std::set<std::string> HangupsHiddenIn(const std::vector<std::string>& frames) {
  std::set<std::string> out;
  ari::EventDecoder decoder;
  for (const std::string& frame : frames) {
    std::string_view type;
    if (ari::LeadingStringField(frame, "type", &type) && type != "ChannelHangupRequest" &&
        type != "StasisEnd") {
      continue;
    }
    Result<AriEvent> event = decoder.DecodeEvent(frame);
    if (!event.ok() || !event->channel) continue;
    if (event->type == "ChannelHangupRequest" || event->type == "StasisEnd") {
      out.insert(event->channel->id);
    }
  }
  return out;
}

Result<std::vector<std::string>> ReadFixtureFrames(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidInput("cannot read " + path);
  std::vector<std::string> frames;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || payload::IsRecordLine(line)) continue;
    frames.push_back(std::move(line));
  }
  return frames;
}

std::vector<std::string> FramesNotHeld(const std::vector<std::string>& sent,
                                       const std::vector<std::string>& held) {
  std::unordered_map<std::string_view, std::size_t> count;
  for (const std::string& line : held) ++count[line];
  std::vector<std::string> missing;
  for (const std::string& frame : sent) {
    auto it = count.find(frame);
    if (it != count.end() && it->second > 0) {
      --it->second;
    } else {
      missing.push_back(frame);
    }
  }
  return missing;
}

}  // namespace callledger::replay
