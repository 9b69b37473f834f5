// Golden tests: every captured stream (and every hand-made case) through the
// real import, parser and projector, twice, against the checked-in rows; the
// rows against what the calls really were (the captures' expected.json); and
// the app stream's view against the observer's.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "core/utc_time.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "support/fixtures.h"

namespace callledger {
namespace {

namespace json = boost::json;
using testing::CapturedStreams;
using testing::ReadFile;
using testing::SourceDir;

std::vector<CallRow> Rows(const std::filesystem::path& file) {
  auto result = replay::RunFixture(file, {});
  REQUIRE(result.ok());
  return result->rows;
}

std::string Name(const std::filesystem::path& p) { return p.filename().string(); }
std::string Stem(const std::filesystem::path& p) {
  return p.filename().string().substr(0, Name(p).size() - 6);
}

std::int64_t Time(const json::value& v) {
  REQUIRE(v.is_string());
  auto t = ParseIsoTimestamp(std::string(v.as_string()));
  REQUIRE(t.has_value());
  return *t;
}

TEST_CASE("every captured stream replays to its golden rows, twice, identically") {
  for (const auto& stream : CapturedStreams()) {
    INFO(Name(stream));
    const std::string first = projection::RowsToJson(Rows(stream));
    const std::string second = projection::RowsToJson(Rows(stream));
    CHECK(first == second);
    const auto golden = SourceDir() / "fixtures" / "expected" / (Stem(stream) + ".rows.json");
    REQUIRE(std::filesystem::exists(golden));
    CHECK(first == ReadFile(golden));
  }
}

// RowsToCsv writes fields directly (it carries whole exports); it must say
// what the row fields say: RFC 4180 quoting, NULL as an empty field.
std::string CsvFromFields(const std::vector<CallRow>& rows) {
  std::string out;
  for (const auto& c : projection::RowColumns()) out += (out.empty() ? "" : ",") + c;
  out += "\r\n";
  for (const auto& r : rows) {
    std::string line;
    bool first = true;
    for (const auto& [column, value] : projection::RowFields(r)) {
      line += first ? "" : ",";
      first = false;
      if (value == "null") continue;
      if (value.find_first_of(",\"\r\n") == std::string::npos) {
        line += value;
      } else {
        line += '"';
        for (char ch : value) line += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        line += '"';
      }
    }
    out += line + "\r\n";
  }
  return out;
}

TEST_CASE("CSV rows say what the row fields say") {
  std::vector<CallRow> all;
  for (const auto& stream : CapturedStreams()) {
    auto result = replay::RunFixture(stream, {});
    REQUIRE(result.ok());
    all.insert(all.end(), result->rows.begin(), result->rows.end());
  }
  CallRow odd = all.front();
  odd.caller_name = "Ali, \"Vali\"\r\nnull";
  odd.hangup_cause_txt = "User alerting, no answer";
  odd.duration_s.reset();
  odd.hangup_cause.reset();
  all.push_back(odd);
  CHECK(projection::RowsToCsv(all) == CsvFromFields(all));
  // A text that reads "null" is text, not NULL.
  CallRow named = all.front();
  named.caller_name = "null";
  CHECK(projection::RowsToCsv({named}).find(",null,") != std::string::npos);
}

TEST_CASE("every hand-made case replays to its expected rows") {
  int cases = 0;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() / "fixtures" / "handmade")) {
    if (e.path().extension() != ".jsonl") continue;
    INFO(Name(e.path()));
    const auto expected = e.path().parent_path() / (Stem(e.path()) + ".rows.json");
    REQUIRE(std::filesystem::exists(expected));
    auto diff = projection::DiffRowsJson(Rows(e.path()), ReadFile(expected));
    REQUIRE(diff.ok());
    CHECK(diff.value() == "");
    ++cases;
  }
  CHECK(cases >= 3);
}

// The oracle was written by the lab driver from what it did, not by any
// projection code. Differences allowed here are documented in
// fixtures/README.md: start_time is the channel's creationtime (the oracle
// takes StasisStart, 1-4 ms later), answer_time is when the caller was
// bridged with an answered party (the oracle takes the call channel's own
// Up, a few ms earlier), and the app stream cannot see why an outbound call
// failed (disposition "unanswered", no Q.850 cause).
TEST_CASE("rows match what the calls really were (expected.json oracles)") {
  int checked = 0;
  for (const auto& stream : CapturedStreams()) {
    const std::string name = Name(stream);
    const bool observer = name.ends_with(".observer.jsonl");
    const std::string scenario = name.substr(0, name.find('.'));
    INFO(name);
    const json::value oracle =
        json::parse(ReadFile(testing::CaptureDir() / (scenario + ".expected.json")));
    const auto& calls = oracle.at("calls").as_array();
    const auto rows = Rows(stream);
    REQUIRE(rows.size() == calls.size());
    for (const auto& cv : calls) {
      const auto& c = cv.as_object();
      const std::string channel(c.at("call_channel_id").as_string());
      INFO("call channel " << channel);
      auto it = std::find_if(rows.begin(), rows.end(),
                             [&](const CallRow& r) { return r.channel_id == channel; });
      REQUIRE(it != rows.end());
      const CallRow& r = *it;
      const std::string arg0(c.at("stasis_args").as_array().at(0).as_string());
      CHECK(r.call_id == (arg0.empty() ? channel : arg0));
      CHECK(r.args_ok == !arg0.empty());
      CHECK(r.direction == std::string(c.at("direction").as_string()));
      CHECK(r.from_number == std::string(c.at("from_number").as_string()));
      CHECK(r.to_number == std::string(c.at("to_number").as_string()));
      CHECK(r.answered == c.at("answered").as_bool());
      CHECK(std::string(CallStatusName(r.status)) == std::string(c.at("final_status").as_string()));
      const std::int64_t start = Time(c.at("start_time"));
      CHECK(r.start_us <= start);
      CHECK(start - r.start_us <= 5000);
      CHECK(std::llabs(r.end_us - Time(c.at("end_time"))) <= 100000);
      if (r.answered) CHECK(std::llabs(r.answer_us - Time(c.at("answer_time"))) <= 100000);
      const std::string outcome(c.at("intended").at("outcome").as_string());
      const std::map<std::string, std::string> kDisposition = {{"answered", "answered"},
                                                               {"abandoned", "abandoned"},
                                                               {"busy", "busy"},
                                                               {"no-answer", "no_answer"},
                                                               {"congestion", "congestion"}};
      if (observer || outcome == "answered" || outcome == "abandoned") {
        CHECK(r.disposition == kDisposition.at(outcome));
      } else {
        CHECK(r.disposition == "unanswered");
      }
      if (observer) {
        const auto& destroyed = c.at("hangup").at("cause_in_ChannelDestroyed_observer");
        REQUIRE(r.hangup_cause.has_value());
        CHECK(*r.hangup_cause == destroyed.at("cause").as_int64());
        CHECK(r.hangup_cause_txt == std::string(destroyed.at("cause_txt").as_string()));
      }
      const auto& rec = c.at("recording");
      // An ARI recording shows on both streams; MixMonitor only as a channel
      // variable on the observer (checked below).
      const bool ari_recording = !rec.is_null() && rec.at("method").as_string().starts_with("ARI");
      if (ari_recording) {
        CHECK(r.recording_path ==
              "/var/spool/asterisk/" +
                  std::string(rec.at("stored_file_relative_to_spool").as_string()));
      }
      if (observer && c.at("observer_view").as_object().contains("channel_varsets_last_value")) {
        const auto& vars = c.at("observer_view").at("channel_varsets_last_value").as_object();
        if (vars.contains("MIXMONITOR_FILENAME")) {
          CHECK(r.recording_path == std::string(vars.at("MIXMONITOR_FILENAME").as_string()));
        }
      }
      ++checked;
    }
  }
  CHECK(checked == 36);  // 18 calls in 16 scenarios, seen on both streams
}

TEST_CASE("the app stream and the observer stream agree on every call") {
  for (const auto& stream : CapturedStreams()) {
    const std::string name = Name(stream);
    if (!name.ends_with(".observer.jsonl")) continue;
    const std::string scenario = name.substr(0, name.find('.'));
    INFO(scenario);
    const auto observer = Rows(stream);
    const auto app = Rows(testing::CaptureDir() / (scenario + ".call-center.jsonl"));
    REQUIRE(observer.size() == app.size());
    for (std::size_t i = 0; i < app.size(); ++i) {
      CHECK(app[i].call_id == observer[i].call_id);
      CHECK(app[i].direction == observer[i].direction);
      CHECK(app[i].from_number == observer[i].from_number);
      CHECK(app[i].to_number == observer[i].to_number);
      CHECK(app[i].answered == observer[i].answered);
      CHECK(app[i].status == observer[i].status);
      CHECK(app[i].start_us == observer[i].start_us);
      CHECK(std::llabs(app[i].answer_us - observer[i].answer_us) <= 100000);
      CHECK(std::llabs(app[i].end_us - observer[i].end_us) <= 100000);
    }
  }
}

}  // namespace
}  // namespace callledger
