#include "payload/cel.h"

#include <simdjson.h>

#include <span>

#include "core/hex.h"
#include "core/utc_time.h"
#include "payload/json_writer.h"

namespace callledger::payload {
namespace {

constexpr std::string_view kWhat = "cel payload";

JsonObjectWriter BadLineObject(const CelBadLine& bad) {
  JsonObjectWriter w;
  w.Uint("offset", bad.offset).String("why", bad.why);
  if (simdjson::validate_utf8(bad.bytes)) {
    w.String("text", bad.bytes);
  } else {
    w.String("hex", ToHex(std::span(reinterpret_cast<const std::uint8_t*>(bad.bytes.data()),
                                    bad.bytes.size())));
  }
  return w;
}

Result<CelBadLine> ParseBadLine(std::string_view text) {
  ASSIGN_OR_RETURN(const std::vector<JsonMember> members, ObjectMembers(text, kWhat));
  CelBadLine bad;
  bool has_offset = false, has_why = false;
  int forms = 0;
  for (const JsonMember& m : members) {
    if (m.key == "offset") {
      ASSIGN_OR_RETURN(bad.offset, Uint64Value(m, kWhat));
      has_offset = true;
    } else if (m.key == "why") {
      ASSIGN_OR_RETURN(bad.why, StringValue(m, kWhat));
      has_why = true;
    } else if (m.key == "text") {
      ASSIGN_OR_RETURN(bad.bytes, StringValue(m, kWhat));
      ++forms;
    } else if (m.key == "hex") {
      ASSIGN_OR_RETURN(const std::string hex, StringValue(m, kWhat));
      auto bytes = FromHex(hex);
      if (!bytes) return InvalidInput("cel payload: a bad line's \"hex\" is not hex");
      bad.bytes = std::move(*bytes);
      ++forms;
    } else {
      return InvalidInput("cel payload: a bad line has an unknown member \"" + m.key + "\"");
    }
  }
  if (!has_offset || !has_why || forms != 1) {
    return InvalidInput(
        "cel payload: a bad line needs \"offset\", \"why\" and one of \"text\", \"hex\"");
  }
  return bad;
}

// The members every payload has, counted as they are met.
struct Seen {
  int file = 0, since = 0, until = 0, part = 0, last = 0, lines = 0, bad = 0, notes = 0;
  bool All() const {
    return file == 1 && since == 1 && until == 1 && part == 1 && last == 1 && lines == 1 &&
           bad == 1 && notes == 1;
  }
};

}  // namespace

std::string EncodeCel(const CelPayload& cel) {
  JsonArrayWriter lines, bad_lines, notes;
  for (const JsonText& line : cel.lines) lines.Raw(line);
  for (const CelBadLine& bad : cel.bad_lines) bad_lines.Object(BadLineObject(bad));
  for (const std::string& note : cel.notes) notes.String(note);
  JsonObjectWriter w;
  w.String("file", cel.file)
      .Int("since_us", cel.since_us)
      .Int("until_us", cel.until_us)
      .Uint("part", cel.part)
      .Bool("last_part", cel.last_part)
      .Array("lines", std::move(lines))
      .Array("bad_lines", std::move(bad_lines))
      .Array("notes", std::move(notes));
  return w.Finish();
}

Result<CelPayload> ParseCel(std::string_view payload) {
  ASSIGN_OR_RETURN(const std::vector<JsonMember> members, ObjectMembers(payload, kWhat));
  CelPayload cel;
  Seen seen;
  for (const JsonMember& m : members) {
    if (m.key == "file") {
      ASSIGN_OR_RETURN(cel.file, StringValue(m, kWhat));
      ++seen.file;
    } else if (m.key == "since_us") {
      ASSIGN_OR_RETURN(cel.since_us, Int64Value(m, kWhat));
      ++seen.since;
    } else if (m.key == "until_us") {
      ASSIGN_OR_RETURN(cel.until_us, Int64Value(m, kWhat));
      ++seen.until;
    } else if (m.key == "part") {
      ASSIGN_OR_RETURN(cel.part, Uint64Value(m, kWhat));
      ++seen.part;
    } else if (m.key == "last_part") {
      ASSIGN_OR_RETURN(cel.last_part, BoolValue(m, kWhat));
      ++seen.last;
    } else if (m.key == "lines") {
      ASSIGN_OR_RETURN(const auto elements, ArrayElements(m.raw, "cel payload's lines"));
      cel.lines.clear();
      // Elements of valid JSON are valid JSON: these checks cannot fail.
      for (std::string_view e : elements) {
        ASSIGN_OR_RETURN(JsonText line, JsonText::Verbatim(std::string(e)));
        cel.lines.push_back(std::move(line));
      }
      ++seen.lines;
    } else if (m.key == "bad_lines") {
      ASSIGN_OR_RETURN(const auto elements, ArrayElements(m.raw, "cel payload's bad_lines"));
      cel.bad_lines.clear();
      for (std::string_view e : elements) {
        ASSIGN_OR_RETURN(CelBadLine bad, ParseBadLine(e));
        cel.bad_lines.push_back(std::move(bad));
      }
      ++seen.bad;
    } else if (m.key == "notes") {
      ASSIGN_OR_RETURN(const auto elements, ArrayElements(m.raw, "cel payload's notes"));
      cel.notes.clear();
      for (std::string_view e : elements) {
        ASSIGN_OR_RETURN(std::string note, StringValue(JsonMember{"notes", e}, kWhat));
        cel.notes.push_back(std::move(note));
      }
      ++seen.notes;
    } else {
      return InvalidInput("cel payload has an unknown member \"" + m.key + "\"");
    }
  }
  if (!seen.All()) {
    return InvalidInput(
        "cel payload needs each of \"file\", \"since_us\", \"until_us\", \"part\", "
        "\"last_part\", \"lines\", \"bad_lines\", \"notes\" once");
  }
  return cel;
}

std::string CelReason(const CelPayload& cel) {
  return "CEL evidence for " + FormatUtcMillis(cel.since_us) + ".." +
         FormatUtcMillis(cel.until_us) + ": " + std::to_string(cel.lines.size()) + " lines, " +
         std::to_string(cel.bad_lines.size()) + " bad, from " + cel.file + " (part " +
         std::to_string(cel.part) + (cel.last_part ? ", last)" : ")");
}

RecordDraft CelDraft(const CelPayload& cel, std::int64_t read_at_us) {
  RecordDraft d;
  d.kind = RecordKind::kCel;
  d.event_time_us = cel.until_us;
  d.received_at_us = read_at_us;
  d.reason = CelReason(cel);
  d.payload = EncodeCel(cel);
  return d;
}

std::size_t CelLineCost(const JsonText& line) { return line.text().size() + 1; }

std::size_t CelBadLineCost(const CelBadLine& bad) { return BadLineObject(bad).Finish().size() + 1; }

}  // namespace callledger::payload
