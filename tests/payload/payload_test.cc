// The payloads of the daemon's own records (payload/): the exact bytes each
// writer produces (the literals are what the daemon wrote before this module
// existed, so existing ledgers and new ones agree), round trips, and bad
// payloads giving kInvalidInput, never a crash.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "payload/gap.h"
#include "payload/json_text.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "support/fixtures.h"

namespace callledger::payload {
namespace {

using testing::CaptureDir;
using testing::ReadFile;

JsonText Json(std::string text) {
  auto j = JsonText::Verbatim(std::move(text));
  REQUIRE(j.ok());
  return *j;
}

// The captured REST bodies, as files hold them (no line feed at the end).
std::string Body(const char* name) { return ReadFile(CaptureDir() / "api" / name); }

TEST_CASE("gap payloads are byte for byte what the daemon has always written") {
  GapPayload connected;
  connected.reason = GapReasonConnected("daemon started");
  connected.since_us = 0;
  connected.until_us = 1795684500000000;
  auto info = JsonText::Compact(R"({"system": {"version": "22.10.1"}})");
  REQUIRE(info.ok());
  connected.asterisk_info = *info;
  CHECK(EncodeGap(connected) ==
        R"({"reason":"connected to ARI after: daemon started","since_us":0,)"
        R"("until_us":1795684500000000,"asterisk_info":{"system":{"version":"22.10.1"}}})");

  GapPayload overflow;
  overflow.reason = GapReasonOverflow(6);
  overflow.since_us = 1795684499000000;
  overflow.until_us = 1795684500000000;
  overflow.lost_frames = 6;
  CHECK(EncodeGap(overflow) ==
        R"x({"reason":"overflow: 6 frames received but not kept (ingest queue full)",)x"
        R"x("since_us":1795684499000000,"until_us":1795684500000000,"lost_frames":6})x");

  const RecordDraft d = GapDraft(overflow);
  CHECK(d.kind == RecordKind::kGap);
  CHECK(d.event_time_us == 1795684500000000);
  CHECK(d.received_at_us == 1795684500000000);
  CHECK(d.reason == "overflow: 6 frames received but not kept (ingest queue full)");
  CHECK(d.payload == EncodeGap(overflow));
}

TEST_CASE("a gap keeps Asterisk's info as Boost.JSON writes it back, as before") {
  // The captured answer is already compact: it is kept unchanged.
  const std::string info = Body("asterisk-info.json");
  auto compact = JsonText::Compact(info);
  REQUIRE(compact.ok());
  CHECK(compact->text() == info);
  // Whitespace and escapes are normalised, the value is not.
  compact = JsonText::Compact("{ \"a\" : [1, 2.5, \"\\u00e9\\/\"] }\n");
  REQUIRE(compact.ok());
  CHECK(compact->text() == "{\"a\":[1,2.5E0,\"\xc3\xa9/\"]}");
  CHECK_FALSE(JsonText::Compact("<html>").ok());
}

TEST_CASE("AsteriskProcessOf: the process a gap's info names, for telling a PBX restart") {
  auto info = JsonText::Compact(Body("asterisk-info.json"));
  REQUIRE(info.ok());
  const auto process = AsteriskProcessOf(*info);
  REQUIRE(process.has_value());
  CHECK_FALSE(process->startup_time.empty());
  CHECK_FALSE(process->entity_id.empty());
  CHECK(process->system_name.empty());
  auto named = JsonText::Compact(
      R"({"system":{"entity_id":"e"},"config":{"name":"pbx1"},"status":{"startup_time":"t"}})");
  REQUIRE(named.ok());
  CHECK(*AsteriskProcessOf(*named) == AsteriskProcess{"e", "t", "pbx1"});
  // Without a startup time no restart can be told.
  auto bare = JsonText::Compact(R"({"system":{"entity_id":"e"}})");
  REQUIRE(bare.ok());
  CHECK_FALSE(AsteriskProcessOf(*bare).has_value());
  auto array = JsonText::Compact("[1]");
  REQUIRE(array.ok());
  CHECK_FALSE(AsteriskProcessOf(*array).has_value());
}

TEST_CASE("reconcile payloads embed both REST bodies byte for byte") {
  CHECK(EncodeReconcile({Json("[]"), Json("[]")}) == R"({"channels":[],"bridges":[]})");
  CHECK(EncodeReconcile({Json(R"([{"id":"1.1","name":"PJSIP/a-1","state":"Up"}])"),
                         Json(R"([{"id":"b","channels":["1.1"]}])")}) ==
        R"({"channels":[{"id":"1.1","name":"PJSIP/a-1","state":"Up"}],)"
        R"("bridges":[{"id":"b","channels":["1.1"]}]})");
  // Whitespace, escapes and number forms inside a body are evidence too.
  CHECK(EncodeReconcile({Json(" [ {\"id\" : \"x\\u0041\", \"n\": 1.50} ]\n"), Json("[]")}) ==
        "{\"channels\": [ {\"id\" : \"x\\u0041\", \"n\": 1.50} ]\n,\"bridges\":[]}");
  // The captured bodies: the format's definition is the old writer's formula.
  const std::string channels = Body("channels-live.json");
  const std::string bridges = Body("bridges-live.json");
  const std::string payload = EncodeReconcile({Json(channels), Json(bridges)});
  CHECK(payload == "{\"channels\":" + channels + ",\"bridges\":" + bridges + "}");

  const RecordDraft d = ReconcileDraft({Json(channels), Json(bridges)}, 1795684562700000);
  CHECK(d.kind == RecordKind::kReconcile);
  CHECK(d.event_time_us == 1795684562700000);
  CHECK(d.received_at_us == 1795684562700000);
  CHECK(d.reason == "GET /ari/channels and /ari/bridges");
  CHECK(d.payload == payload);
}

TEST_CASE("a body that is not JSON cannot become part of a reconcile payload") {
  for (const char* body : {"", "  ", "<html>Service Unavailable</html>", "[", "[1,]", "[]x",
                           "{\"a\":1}{}", "\"\xff\"", "nul"}) {
    INFO(body);
    auto j = JsonText::Verbatim(body);
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().code() == Code::kInvalidInput);
  }
}

TEST_CASE("note payloads are byte for byte what the daemon has always written") {
  NotePayload daemon;
  daemon.projector_options =
      ProjectorOptionsNote{"call-center", std::string("/var/spool/asterisk/recording")};
  CHECK(EncodeNote(daemon) == R"({"projector_options":{"call_app":"call-center",)"
                              R"("recordings_dir":"/var/spool/asterisk/recording"}})");
  CHECK(EncodeNote({ProjectorOptionsNote{std::nullopt, "/srv/rec"}}) ==
        R"({"projector_options":{"recordings_dir":"/srv/rec"}})");
  // Quotes, backslashes and UTF-8 as the old escaper wrote them; a control
  // character without a short form as \u00XX.
  CHECK(EncodeNote({ProjectorOptionsNote{"q\"b\\s", "/srv/Oʻtkir\x01"}}) ==
        "{\"projector_options\":{\"call_app\":\"q\\\"b\\\\s\","
        "\"recordings_dir\":\"/srv/Oʻtkir\\u0001\"}}");
  // The one documented change: a tab is \t now (the old escaper wrote
  // \u0009); both say the same string.
  const std::string tab = EncodeNote({ProjectorOptionsNote{"a\tb", std::nullopt}});
  CHECK(tab == "{\"projector_options\":{\"call_app\":\"a\\tb\"}}");
  auto old = ParseNote("{\"projector_options\":{\"call_app\":\"a\\u0009b\"}}");
  REQUIRE(old.ok());
  CHECK(old->projector_options->call_app == "a\tb");
  CHECK(EncodeNote({}) == "{}");

  const RecordDraft d = NoteDraft(daemon, "projector options at daemon start", 1795684500000000);
  CHECK(d.kind == RecordKind::kNote);
  CHECK(d.event_time_us == 1795684500000000);
  CHECK(d.received_at_us == 1795684500000000);
  CHECK(d.reason == "projector options at daemon start");
}

TEST_CASE("every payload parses back to what was encoded, and encodes to the same bytes") {
  std::vector<GapPayload> gaps(3);
  gaps[0] = {GapReasonConnected("daemon started"), 0, 1795684500000000, std::nullopt,
             JsonText::Compact(Body("asterisk-info.json")).value()};
  gaps[1] = {GapReasonOverflow(70000), -5, 1795684500000001, 70000, std::nullopt};
  gaps[2] = {"reason with \"quotes\", \\, \n and Oʻtkir", 1, 2, 0,
             JsonText::Compact("\"just a string\"").value()};
  for (const auto& gap : gaps) {
    const std::string bytes = EncodeGap(gap);
    INFO(bytes);
    auto parsed = ParseGap(bytes);
    REQUIRE(parsed.ok());
    CHECK(*parsed == gap);
    CHECK(EncodeGap(*parsed) == bytes);
  }
  const std::vector<ReconcilePayload> reconciles = {
      {Json(Body("channels-live.json")), Json(Body("bridges-live.json"))},
      {Json("[]"), Json("[]")},
      {Json(" [ 1 ,\n2 ]\t"), Json("\r\n{\"message\":\"odd but JSON\"} ")},
      {Json("null"), Json("\"x\"")},
  };
  for (const auto& reconcile : reconciles) {
    const std::string bytes = EncodeReconcile(reconcile);
    INFO(bytes);
    auto parsed = ParseReconcile(bytes);
    REQUIRE(parsed.ok());
    CHECK(parsed->channels.text() == reconcile.channels.text());
    CHECK(parsed->bridges.text() == reconcile.bridges.text());
    CHECK(EncodeReconcile(*parsed) == bytes);
  }
  const std::vector<NotePayload> notes = {
      {},
      {ProjectorOptionsNote{std::nullopt, std::nullopt}},
      {ProjectorOptionsNote{"call-center", "/var/spool/asterisk/recording"}},
      {ProjectorOptionsNote{"", std::nullopt}},
      {ProjectorOptionsNote{"Ўткир", "/a\"b\\c\x1f"}},
  };
  for (const auto& note : notes) {
    const std::string bytes = EncodeNote(note);
    INFO(bytes);
    auto parsed = ParseNote(bytes);
    REQUIRE(parsed.ok());
    CHECK(*parsed == note);
    CHECK(EncodeNote(*parsed) == bytes);
  }
}

TEST_CASE("notes: other members are ignored, projector settings come in table order") {
  auto note = ParseNote(R"({"text":"restarted after a disk change","projector_options":)"
                        R"({"recordings_dir":"/r","future_option":7,"call_app":"q"}})");
  REQUIRE(note.ok());
  REQUIRE(note->projector_options.has_value());
  CHECK(ProjectorSettings(*note->projector_options) ==
        std::vector<std::pair<std::string, std::string>>{{"call_app", "q"},
                                                         {"recordings_dir", "/r"}});
  auto operator_note = ParseNote(R"({"text":"maintenance window"})");
  REQUIRE(operator_note.ok());
  CHECK_FALSE(operator_note->projector_options.has_value());

  auto settings =
      OptionsFromSettings({{"recordings_dir", "/a"}, {"call_app", "x"}, {"recordings_dir", "/b"}});
  REQUIRE(settings.ok());
  CHECK(*settings == ProjectorOptionsNote{"x", "/b"});
  auto unknown = OptionsFromSettings({{"call_ap", "x"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == Code::kInvalidInput);
}

// Every way a payload can be wrong gives kInvalidInput with a message.
template <class Parse>
void CheckRejects(Parse parse, const std::vector<std::string>& inputs) {
  for (const auto& input : inputs) {
    INFO("payload: " << input);
    auto r = parse(input);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
    CHECK_FALSE(r.status().message().empty());
  }
}

TEST_CASE("bad payloads give kInvalidInput") {
  const std::vector<std::string> not_objects = {"",  " ",       "not json", "[]",   "\"gap\"", "12",
                                                "{", "{\"a\":", "{}x",      "\xff", "null"};
  CheckRejects(ParseGap, not_objects);
  CheckRejects(ParseReconcile, not_objects);
  CheckRejects(ParseNote, not_objects);
  CheckRejects(ParseGap, {
                             R"({"reason":"x","since_us":1})",
                             R"({"since_us":1,"until_us":2})",
                             R"({"reason":1,"since_us":1,"until_us":2})",
                             R"({"reason":"x","since_us":"1","until_us":2})",
                             R"({"reason":"x","since_us":1.5,"until_us":2})",
                             R"({"reason":"x","since_us":1,"until_us":99999999999999999999})",
                             R"({"reason":"x","since_us":1,"until_us":2,"lost_frames":-1})",
                             R"({"reason":"x","since_us":1,"until_us":2,"lost":3})",
                         });
  CheckRejects(ParseReconcile, {
                                   R"({"channels":[]})",
                                   R"({"bridges":[],"channels":[]})",
                                   R"({"channels":[],"bridges":[],"taken_at":1})",
                                   R"({"channels":[1,],"bridges":[]})",
                               });
  CheckRejects(ParseNote, {
                              R"({"projector_options":[]})",
                              R"({"projector_options":{"call_app":1}})",
                              R"({"projector_options":{"recordings_dir":null}})",
                          });
  ReconcileDecoder decoder;
  CheckRejects(
      [&](std::string_view p) { return decoder.Decode(p); },
      {"", "not json", "[]", R"({"bridges":[]})", R"({"channels":{}})", "{\"channels\":["});
}

// Truncations and single-byte changes of valid payloads: each parse either
// succeeds or says kInvalidInput; none crashes or throws.
TEST_CASE("damaged payloads never crash a parser") {
  const std::vector<std::string> valid = {
      EncodeGap({GapReasonConnected("daemon started"), 0, 1795684500000000, std::nullopt,
                 JsonText::Compact(Body("asterisk-info.json")).value()}),
      EncodeReconcile({Json(Body("channels-live.json")), Json(Body("bridges-live.json"))}),
      EncodeNote({ProjectorOptionsNote{"call-center", "/var/spool/asterisk/recording"}}),
  };
  ReconcileDecoder decoder;
  int parses = 0;
  auto all = [&](const std::string& p) {
    for (auto r : {ParseGap(p).status(), ParseReconcile(p).status(), ParseNote(p).status(),
                   decoder.Decode(p).status()}) {
      CHECK((r.ok() || r.code() == Code::kInvalidInput));
      ++parses;
    }
  };
  for (const auto& p : valid) {
    for (std::size_t n = 0; n < p.size(); n += 7) all(p.substr(0, n));
    for (std::size_t i = 0; i < p.size(); i += 5) {
      for (char c : {'\0', '"', '}', '\\', '\xc3'}) {
        std::string damaged = p;
        damaged[i] = c;
        all(damaged);
      }
    }
  }
  CHECK(parses > 1000);
}

TEST_CASE("the projector's view of a reconcile: the live channels and bridges") {
  ReconcileDecoder decoder;
  auto snap = decoder.Decode(
      EncodeReconcile({Json(Body("channels-live.json")), Json(Body("bridges-live.json"))}));
  REQUIRE(snap.ok());
  REQUIRE(snap->channels.size() == 4);
  const ChannelSnapshot* call = nullptr;
  for (const auto& c : snap->channels) {
    if (c.id == "1795684558.5") call = &c;
  }
  REQUIRE(call != nullptr);
  CHECK(call->state == "Up");
  CHECK(call->dialplan_app == "Stasis");
  CHECK(call->caller_number == "998901234567");
  CHECK(call->creation_us == 1795684558161000);
  REQUIRE(snap->bridges.size() == 1);
  CHECK(snap->bridges[0].id == "9abfe064-4e54-4d4f-8ccb-2c4b1b23cfd7");
  CHECK(snap->bridges[0].channels == std::vector<std::string>{"1795684558.5", "1795684558.6"});

  // As the projector has always read them: channels without an id and
  // non-objects are left out; bridges that are not an array give none.
  snap = decoder.Decode(R"({"channels":[{"name":"x"},7,{"id":"a"}],"bridges":"?"})");
  REQUIRE(snap.ok());
  REQUIRE(snap->channels.size() == 1);
  CHECK(snap->channels[0].id == "a");
  CHECK(snap->bridges.empty());
}

TEST_CASE("object members: the exact bytes between a member's colon and what ends it") {
  auto members = ObjectMembers("{ \"a\" : [1, 2] , \"b\":\"x\\\"y\",\"c\":{\"d\":null}\n}", "t");
  REQUIRE(members.ok());
  REQUIRE(members->size() == 3);
  CHECK((*members)[0].key == "a");
  CHECK((*members)[0].raw == " [1, 2] ");
  CHECK((*members)[1].key == "b");
  CHECK((*members)[1].raw == "\"x\\\"y\"");
  CHECK((*members)[2].key == "c");
  CHECK((*members)[2].raw == "{\"d\":null}\n");
  auto escaped_key = ObjectMembers(R"({"k\u0041":true})", "t");
  REQUIRE(escaped_key.ok());
  CHECK((*escaped_key)[0].key == "kA");
  CHECK((*escaped_key)[0].raw == "true");
}

}  // namespace
}  // namespace callledger::payload
