#include "audit/render.h"

#include <boost/json.hpp>

#include <cstdio>
#include <iomanip>
#include <sstream>

#include "core/hex.h"
#include "core/utc_time.h"
#include "payload/record_line.h"
#include "record/record_codec.h"

namespace callledger::audit {
namespace json = boost::json;
namespace {

std::string TimeOrDash(std::int64_t us) { return us == 0 ? "-" : FormatUtcMillis(us); }

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// Strict UTF-8 (Unicode Table 3-7): no overlong forms, no surrogates, nothing
// above U+10FFFF. Anything looser would put bytes into a JSON string that
// JSON readers reject.
bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    }
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->value().is_string()) return std::string(it->value().as_string());
  if (it->value().is_int64()) return std::to_string(it->value().as_int64());
  if (it->value().is_bool()) return it->value().as_bool() ? "true" : "false";
  return {};
}

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

std::string DescribeEvent(const Record& r) {
  json::error_code ec;
  json::value v = json::parse(r.payload, ec);
  if (ec || !v.is_object()) return {};
  const json::object& o = v.as_object();
  const std::string& t = r.event_type;
  const json::object* ch = Obj(o, "channel");
  std::string out;
  if (ch != nullptr) out = Str(*ch, "name");
  auto add = [&](const std::string& s) {
    if (s.empty()) return;
    if (!out.empty()) out += "  ";
    out += s;
  };
  if (t == "StasisStart") {
    if (auto it = o.find("args"); it != o.end()) add("args " + json::serialize(it->value()));
  } else if (t == "ChannelDialplan") {
    add(Str(o, "dialplan_app") + "(" + Str(o, "dialplan_app_data") + ")");
  } else if (t == "ChannelVarset") {
    add(Str(o, "variable") + "=" + Str(o, "value"));
  } else if (t == "ChannelStateChange" || t == "ChannelCreated") {
    if (ch != nullptr) add("state " + Str(*ch, "state"));
  } else if (t == "Dial") {
    const json::object* peer = Obj(o, "peer");
    add("dialstatus " + (Str(o, "dialstatus").empty() ? "\"\"" : Str(o, "dialstatus")) +
        (peer != nullptr ? " peer " + Str(*peer, "name") : ""));
  } else if (t == "ChannelDestroyed") {
    add("cause " + Str(o, "cause") + " " + Str(o, "cause_txt"));
  } else if (t == "ChannelHangupRequest") {
    add("cause " + Str(o, "cause") + (Str(o, "soft") == "true" ? " (soft)" : ""));
  } else if (t == "ChannelEnteredBridge" || t == "ChannelLeftBridge" || t == "BridgeCreated" ||
             t == "BridgeDestroyed") {
    if (const json::object* b = Obj(o, "bridge")) add("bridge " + Str(*b, "id"));
  } else if (t.starts_with("Recording")) {
    if (const json::object* rec = Obj(o, "recording")) {
      add("recording " + Str(*rec, "name") + "." + Str(*rec, "format") + " " + Str(*rec, "state") +
          " " + Str(*rec, "target_uri"));
    }
  } else if (t == "ChannelDtmfReceived") {
    add("digit " + Str(o, "digit"));
  } else if (t == "DeviceStateChanged") {
    if (const json::object* d = Obj(o, "device_state"))
      add(Str(*d, "name") + " " + Str(*d, "state"));
  } else if (t == "ChannelCallerId" || t == "ChannelConnectedLine") {
    if (ch != nullptr) {
      const json::object* who = Obj(*ch, t == "ChannelCallerId" ? "caller" : "connected");
      if (who != nullptr) {
        const std::string name = Str(*who, "name");
        add(name.empty() ? "<" + Str(*who, "number") + ">"
                         : name + " <" + Str(*who, "number") + ">");
      }
    }
  }
  return out;
}

}  // namespace

std::string RecordJsonLine(const Record& r) {
  json::object o;
  o["seq"] = r.seq.value;
  o["kind"] = RecordKindName(r.kind);
  o["node"] = r.node;
  o["event_type"] = r.event_type;
  o["event_time"] =
      r.event_time_us == 0 ? json::value(nullptr) : json::value(FormatUtcMicros(r.event_time_us));
  o["received_at"] = FormatUtcMicros(r.received_at_us);
  o["asterisk_id"] = r.asterisk_id;
  o["application"] = r.application;
  o["channel_ids"] = Strings(r.channel_ids);
  o["bridge_ids"] = Strings(r.bridge_ids);
  json::error_code ec;
  json::value payload = json::parse(r.payload, ec);
  if (!ec) {
    o["payload"] = std::move(payload);
  } else if (ValidUtf8(r.payload)) {
    o["payload"] = r.payload;
  } else {
    o["payload"] = nullptr;
    o["payload_hex"] =
        ToHex(std::span(reinterpret_cast<const std::uint8_t*>(r.payload.data()), r.payload.size()));
  }
  if (!r.reason.empty()) o["reason"] = r.reason;
  if (r.payload_size != 0) o["payload_size"] = r.payload_size;
  o["prev_hash"] = ToHex(r.prev_hash);
  o["hash"] = ToHex(r.hash);
  return json::serialize(o);
}

std::string DescribeRecord(const Record& r) {
  switch (r.kind) {
    case RecordKind::kAriEvent:
      return DescribeEvent(r);
    case RecordKind::kMalformed: {
      std::string out = r.reason + " (" +
                        std::to_string(r.payload_size ? r.payload_size : r.payload.size()) +
                        " bytes)";
      return out;
    }
    default:
      return r.reason;
  }
}

void RecordTable::Row(const Record& r) {
  char line[160];
  if (!header_done_) {
    std::snprintf(line, sizeof line, "%10s  %-9s  %-24s  %-24s  %-24s  %s\n", "SEQ", "KIND",
                  "EVENT TIME (UTC)", "TYPE", "CHANNELS", "DETAIL");
    out_ << line;
    header_done_ = true;
  }
  std::string channels;
  for (const auto& c : r.channel_ids) {
    if (!channels.empty()) channels += ",";
    channels += c;
  }
  std::string type = r.event_type.empty() ? "-" : r.event_type;
  std::snprintf(line, sizeof line, "%10llu  %-9s  %-24s  %-24s  %-24s  ",
                static_cast<unsigned long long>(r.seq.value),
                std::string(RecordKindName(r.kind)).c_str(), TimeOrDash(r.event_time_us).c_str(),
                type.c_str(), channels.empty() ? "-" : channels.c_str());
  out_ << line << DescribeRecord(r) << '\n';
}

std::string RenderStatsText(const LedgerStats& s) {
  std::ostringstream out;
  out << "ledger          node " << s.info.node << ", schema version " << s.info.schema_version
      << "\n";
  out << "records         " << s.records;
  if (s.records > 0) out << " (seq " << s.first_seq.value << ".." << s.last_seq.value << ")";
  out << "\n";
  out << "head hash       " << ToHex(s.head.hash) << "\n";
  out << "event times     " << TimeOrDash(s.first_event_us) << " .. " << TimeOrDash(s.last_event_us)
      << " (UTC)\n";
  out << "payload bytes   " << s.payload_bytes << "\n";
  out << "size on disk    " << s.size_on_disk << " bytes\n";
  out << "by kind\n";
  for (const auto& [k, n] : s.by_kind)
    out << "  " << std::left << std::setw(28) << k << std::right << std::setw(10) << n << "\n";
  out << "by event type (ari_event)\n";
  for (const auto& [t, n] : s.by_type)
    out << "  " << std::left << std::setw(28) << t << std::right << std::setw(10) << n << "\n";
  return out.str();
}

std::string RenderStatsJson(const LedgerStats& s) {
  json::object o;
  o["node"] = s.info.node;
  o["schema_version"] = s.info.schema_version;
  o["records"] = s.records;
  o["first_seq"] = s.first_seq.value;
  o["last_seq"] = s.last_seq.value;
  o["head_hash"] = ToHex(s.head.hash);
  o["first_event_time"] =
      s.first_event_us == 0 ? json::value(nullptr) : json::value(FormatUtcMicros(s.first_event_us));
  o["last_event_time"] =
      s.last_event_us == 0 ? json::value(nullptr) : json::value(FormatUtcMicros(s.last_event_us));
  o["payload_bytes"] = s.payload_bytes;
  o["size_on_disk"] = s.size_on_disk;
  json::object kinds, types;
  for (const auto& [k, n] : s.by_kind) kinds[k] = n;
  for (const auto& [t, n] : s.by_type) types[t] = n;
  o["by_kind"] = std::move(kinds);
  o["by_type"] = std::move(types);
  return json::serialize(o);
}

std::string RenderCallHeader(const CallHistory& h) {
  std::ostringstream out;
  out << "call " << h.query << " (" << h.resolved_as << "): " << h.seqs.size() << " records, "
      << h.channels.size() << " channels";
  if (!h.bridges.empty()) out << ", " << h.bridges.size() << " bridge(s)";
  out << "\n";
  for (const auto& c : h.channels) {
    out << "  " << std::left << std::setw(20) << c.id << " " << std::setw(40)
        << (c.name.empty() ? "-" : c.name) << " " << c.role << "\n";
  }
  for (const auto& b : h.bridges) out << "  bridge " << b << "\n";
  return out.str();
}

Result<ExportCounts> ExportPayloads(const EventLog& log, Seq from, Seq to, std::ostream& out,
                                    ExportKinds kinds) {
  ExportCounts counts;
  Status inner;
  Status scan = log.ScanEncoded(from, to, [&](Seq key, std::string_view bytes) {
    Result<Record> r = DecodeRecord(bytes);
    if (!r.ok()) {
      inner = DataLoss("seq " + std::to_string(key.value) + ": " + r.status().message());
      return false;
    }
    // A malformed record whose bytes hold a line break (a REST body kept
    // instead of a reconcile, say) would not stay one line: with the other
    // kinds, it goes as a record line.
    const bool breaks_line = r->kind == RecordKind::kMalformed && !r->truncated() &&
                             r->payload.find_first_of("\r\n") != std::string::npos;
    if ((r->kind != RecordKind::kAriEvent && r->kind != RecordKind::kMalformed) ||
        (breaks_line && kinds == ExportKinds::kAll)) {
      if (kinds == ExportKinds::kFrames) {
        ++counts.skipped_other_kinds;
        return true;
      }
      Result<std::string> line = payload::EncodeRecordLine(*r);
      if (!line.ok()) {
        inner = InvalidInput("seq " + std::to_string(key.value) + ": " + line.status().message());
        return false;
      }
      out << *line << '\n';
      ++counts.records;
      return static_cast<bool>(out);
    }
    if (r->truncated()) ++counts.truncated;
    out.write(r->payload.data(), static_cast<std::streamsize>(r->payload.size()));
    out.put('\n');
    ++counts.written;
    return static_cast<bool>(out);
  });
  RETURN_IF_ERROR(scan);
  RETURN_IF_ERROR(inner);
  if (!out) return Unavailable("writing the export failed");
  return counts;
}

}  // namespace callledger::audit
