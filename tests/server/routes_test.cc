// The HTTP API's request -> response functions on a real PostgreSQL: every
// filter against the rows computed here independently, newest-first order,
// keyset pagination, one call, bad parameters, SQL injection attempts.
#include "server/routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "audit/call_links.h"
#include "audit/query.h"
#include "audit/render.h"
#include "core/utc_time.h"
#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "replay/import.h"
#include "server/call_query.h"
#include "store/memory_event_log.h"
#include "support/fixtures.h"
#include "support/pg_test_db.h"

namespace callledger {
namespace {

namespace json = boost::json;
using server::HandleApiRequest;
using server::HttpResponse;
using testing::TestDatabase;
using Key = std::pair<std::string, std::string>;  // (call_id, node)

// Newest first: start DESC (no start last), call_id DESC, node DESC, bytewise.
bool Newer(const CallRow& a, const CallRow& b) {
  if ((a.start_us == 0) != (b.start_us == 0)) return b.start_us == 0;
  if (a.start_us != b.start_us) return a.start_us > b.start_us;
  if (a.call_id != b.call_id) return a.call_id > b.call_id;
  return a.node > b.node;
}

std::string Encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Every captured observer session projected under two nodes (so every
// call_id and start time exists twice), plus synthetic rows: a number with
// '+', a recording, equal start times, and a call without a start time.
class Ledger {
 public:
  Ledger() : reader_(db_.dsn()) {
    auto store = pg::PgCallLogStore::Open(db_.dsn());
    REQUIRE(store.ok());
    for (const std::string node : {"pbx-a", "pbx-b"}) {
      std::vector<CallRow> node_rows;
      for (const auto& s : testing::CapturedStreams()) {
        if (!s.filename().string().ends_with(".observer.jsonl")) continue;
        replay::FixtureOptions opts;
        opts.node = node;
        auto result = replay::RunFixture(s, opts);
        REQUIRE(result.ok());
        for (auto& r : result->rows) node_rows.push_back(r);
      }
      REQUIRE((*store)->ReplaceAll(node, node_rows, Seq{1}).ok());
      rows_.insert(rows_.end(), node_rows.begin(), node_rows.end());
    }
    REQUIRE(rows_.size() >= 30);
    std::vector<CallRow> synth;
    for (int i = 0; i < 4; ++i) {
      CallRow r = rows_[static_cast<std::size_t>(i)];
      r.node = "pbx-c";
      r.call_id = "synth-" + std::to_string(i);
      r.start_us = i == 3 ? 0 : rows_[0].start_us;  // ties with pbx-a/pbx-b rows
      r.from_number = "+99890123456" + std::to_string(i);
      r.recording_path = i % 2 ? "/var/spool/asterisk/monitor/synth.wav" : "";
      r.duration_s = i == 3 ? std::nullopt : std::optional<std::int64_t>(1000 + i);
      synth.push_back(r);
    }
    REQUIRE((*store)->ReplaceAll("pbx-c", synth, Seq{1}).ok());
    rows_.insert(rows_.end(), synth.begin(), synth.end());
    std::sort(rows_.begin(), rows_.end(), Newer);
  }

  HttpResponse Get(const std::string& target) { return Send({"GET", target, ""}); }
  HttpResponse Send(const server::HttpRequest& request) {
    server::ApiContext context{reader_, nullptr, {}};
    return HandleApiRequest(request, context);
  }
  json::value GetJson(const std::string& target, int want_status = 200) {
    const HttpResponse r = Get(target);
    INFO(target << " -> " << r.body);
    REQUIRE(r.status == want_status);
    REQUIRE(r.content_type == "application/json");
    return json::parse(r.body);
  }

  // Follows next_cursor from `query` to the end; checks page sizes.
  std::vector<Key> WalkAll(const std::string& query, int limit) {
    std::vector<Key> out;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      std::string target =
          "/api/calls?limit=" + std::to_string(limit) + (query.empty() ? "" : "&" + query);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      const json::value v = GetJson(target);
      const auto& items = v.at("items").as_array();
      REQUIRE(items.size() <= static_cast<std::size_t>(limit));
      for (const auto& it : items) {
        out.emplace_back(std::string(it.at("call_id").as_string()),
                         std::string(it.at("node").as_string()));
      }
      if (v.at("next_cursor").is_null()) return out;
      REQUIRE(items.size() == static_cast<std::size_t>(limit));
      cursor = std::string(v.at("next_cursor").as_string());
    }
    FAIL("pagination does not end");
    return out;
  }

  std::vector<Key> Expected(const std::function<bool(const CallRow&)>& keep) const {
    std::vector<Key> out;
    for (const auto& r : rows_) {
      if (keep(r)) out.emplace_back(r.call_id, r.node);
    }
    return out;
  }

  std::string Count() const { return db_.Exec("SELECT count(*) FROM call_logs"); }

  const std::vector<CallRow>& rows() const { return rows_; }
  const TestDatabase& db() const { return db_; }

 private:
  TestDatabase db_;
  pg::PgCallLogReader reader_;
  std::vector<CallRow> rows_;  // newest first
};

TEST_CASE("PercentDecode and ParseQueryString") {
  CHECK(*server::PercentDecode("%2B998%20x+y%e2%80%99") == "+998 x+y\xe2\x80\x99");
  CHECK_FALSE(server::PercentDecode("%2").ok());
  CHECK_FALSE(server::PercentDecode("%zz").ok());
  CHECK_FALSE(server::PercentDecode("a%").ok());
  auto q = server::ParseQueryString("a=1&&b=%2B2&c&d=x=y&");
  REQUIRE(q.ok());
  CHECK(*q == std::map<std::string, std::string>{{"a", "1"}, {"b", "+2"}, {"c", ""}, {"d", "x=y"}});
  auto dup = server::ParseQueryString("limit=1&limit=2");
  REQUIRE_FALSE(dup.ok());
  CHECK(server::ParameterOf(dup.status()) == "limit");
  auto bad = server::ParseQueryString("number=%G1");
  REQUIRE_FALSE(bad.ok());
  CHECK(server::ParameterOf(bad.status()) == "number");
}

TEST_CASE("cursors round-trip and reject what the server did not write") {
  const CallCursor c{1'764'148'558'161'234, "1764148558.42", "pbx-\xd1\x8f"};
  const std::string text = server::EncodeCursor(c);
  CHECK(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  auto back = server::DecodeCursor(text);
  REQUIRE(back.ok());
  CHECK(*back == c);
  CHECK_FALSE(server::DecodeCursor("").ok());
  CHECK_FALSE(server::DecodeCursor(text + "A").ok());
  CHECK_FALSE(server::DecodeCursor(text.substr(0, text.size() - 1)).ok());
  CHECK_FALSE(server::DecodeCursor("AAAA").ok());
  CHECK_FALSE(server::DecodeCursor(text + "=").ok());
  // Bytes that are not UTF-8 cannot come from the database.
  CHECK_FALSE(server::DecodeCursor(server::EncodeCursor({1, "a\xff", "n"})).ok());
}

TEST_CASE("search lists every row newest first and pages through them exactly once") {
  Ledger l;
  const auto all = l.Expected([](const CallRow&) { return true; });
  CHECK(l.WalkAll("", 1000) == all);
  CHECK(l.WalkAll("", 7) == all);
  CHECK(l.WalkAll("", 1) == all);
  const std::set<Key> unique(all.begin(), all.end());
  CHECK(unique.size() == l.rows().size());

  // Default limit 50, and the items are exactly the rows as RowsToJson writes them.
  const json::value first = l.GetJson("/api/calls");
  const auto& items = first.at("items").as_array();
  REQUIRE(items.size() == std::min<std::size_t>(50, l.rows().size()));
  CHECK(first.at("next_cursor").is_null() == (l.rows().size() <= 50));
  const std::vector<CallRow> head(l.rows().begin(),
                                  l.rows().begin() + static_cast<long>(items.size()));
  CHECK(json::value(items) == json::parse(projection::RowsToJson(head)));
}

TEST_CASE("every filter selects what the rows say") {
  Ledger l;
  const auto& rows = l.rows();
  const auto check = [&](const std::string& query,
                         const std::function<bool(const CallRow&)>& keep) {
    INFO(query);
    const auto want = l.Expected(keep);
    CHECK(l.WalkAll(query, 7) == want);
    return want.size();
  };

  std::set<std::string> numbers;
  for (const auto& r : rows) {
    if (!r.from_number.empty()) numbers.insert(r.from_number);
    if (!r.to_number.empty()) numbers.insert(r.to_number);
  }
  REQUIRE(numbers.size() >= 3);
  std::size_t matched = 0;
  for (const auto& n : numbers) {
    matched += check("number=" + Encode(n),
                     [&](const CallRow& r) { return r.from_number == n || r.to_number == n; });
    const std::string prefix = n.substr(0, std::max<std::size_t>(1, n.size() / 2));
    if (prefix != "+") {
      check("number=" + Encode(prefix) + "*", [&](const CallRow& r) {
        return r.from_number.starts_with(prefix) || r.to_number.starts_with(prefix);
      });
    }
  }
  CHECK(matched > 0);
  // '+' both percent-encoded and literal ('+' is not a space here).
  CHECK(check("number=%2B998901234561",
              [](const CallRow& r) { return r.from_number == "+998901234561"; }) == 1);
  CHECK(check("number=+998901234561",
              [](const CallRow& r) { return r.from_number == "+998901234561"; }) == 1);
  CHECK(check("number=%2B99890*",
              [](const CallRow& r) { return r.from_number.starts_with("+99890"); }) == 4);
  CHECK(check("number=99890123456", [](const CallRow& r) {
          return r.from_number == "99890123456" || r.to_number == "99890123456";
        }) == 0);

  std::size_t total = 0;
  for (const std::string d : {"kiruvchi", "chiquvchi"}) {
    total += check("direction=" + d, [&](const CallRow& r) { return r.direction == d; });
  }
  CHECK(total > 0);
  total = 0;
  for (CallStatus s : {CallStatus::kRinging, CallStatus::kTalking, CallStatus::kFinished}) {
    total += check("status=" + std::string(CallStatusName(s)),
                   [&](const CallRow& r) { return r.status == s; });
  }
  CHECK(total == rows.size());
  for (const bool b : {true, false}) {
    const std::string v = b ? "true" : "false";
    CHECK(check("answered=" + v, [&](const CallRow& r) { return r.answered == b; }) > 0);
    CHECK(check("recorded=" + v, [&](const CallRow& r) { return r.recording_path.empty() != b; }) >
          0);
  }

  // Times: a row's own start (inclusive since, exclusive until), in Z and
  // with a +05:00 offset (the same instant).
  const std::int64_t mid = rows[rows.size() / 2].start_us;
  REQUIRE(mid != 0);
  const std::string z = FormatUtcMicros(mid);
  CHECK(check("since=" + Encode(z),
              [&](const CallRow& r) { return r.start_us != 0 && r.start_us >= mid; }) > 1);
  CHECK(check("until=" + Encode(z),
              [&](const CallRow& r) { return r.start_us != 0 && r.start_us < mid; }) > 1);
  std::string plus5 = FormatUtcMicros(mid + 5LL * 3600 * 1'000'000);
  plus5 = plus5.substr(0, plus5.size() - 1) + "+05:00";
  REQUIRE(ParseIsoTimestamp(plus5) == mid);
  check("since=" + Encode(plus5) + "&until=" + Encode(FormatUtcMicros(mid + 1)),
        [&](const CallRow& r) { return r.start_us == mid; });

  std::vector<std::int64_t> durations;
  for (const auto& r : rows) {
    if (r.duration_s) durations.push_back(*r.duration_s);
  }
  std::sort(durations.begin(), durations.end());
  for (const std::int64_t d :
       {std::int64_t{0}, durations[durations.size() / 2], std::int64_t{1001}}) {
    check("min_duration=" + std::to_string(d),
          [&](const CallRow& r) { return r.duration_s && *r.duration_s >= d; });
  }

  // Several at once.
  check("direction=kiruvchi&answered=true&min_duration=1&since=" +
            Encode(FormatUtcMicros(rows.back().start_us)),
        [&](const CallRow& r) {
          return r.direction == "kiruvchi" && r.answered && r.duration_s && *r.duration_s >= 1 &&
                 r.start_us != 0;
        });
}

TEST_CASE("one call by id, 404 when there is none") {
  Ledger l;
  // A call_id on both pbx-a and pbx-b: the newest (here: same start, larger node).
  const CallRow& newest = l.rows().front();
  for (const auto& r : l.rows()) {
    const json::value v = l.GetJson("/api/calls/" + Encode(r.call_id));
    // The first row in newest-first order with this id.
    const auto it = std::find_if(l.rows().begin(), l.rows().end(),
                                 [&](const CallRow& x) { return x.call_id == r.call_id; });
    CHECK(v == json::parse(projection::RowsToJson({*it})).as_array().at(0));
  }
  CHECK(newest.node != "pbx-a");
  const json::value none = l.GetJson("/api/calls/no-such-call", 404);
  CHECK(none.at("error").as_string() == "no call with id no-such-call");
  l.GetJson("/api/calls/%FF%FE", 404);
  l.GetJson("/api/calls/a%00b", 404);
  l.GetJson("/api/calls/%zz", 400);
}

TEST_CASE("bad parameters give 400 naming the parameter") {
  Ledger l;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"number=abc", "number"},
      {"number=", "number"},
      {"number=%2B", "number"},
      {"number=*", "number"},
      {"number=12%2B3", "number"},
      {"number=12*3*", "number"},
      {"number=%2012", "number"},
      {"direction=in", "direction"},
      {"direction=", "direction"},
      {"status=done", "status"},
      {"answered=yes", "answered"},
      {"answered=1", "answered"},
      {"recorded=TRUE", "recorded"},
      {"since=2026-11-26T09:15:58", "since"},
      {"since=yesterday", "since"},
      {"until=2026-13-01T00:00:00Z", "until"},
      {"min_duration=-1", "min_duration"},
      {"min_duration=1.5", "min_duration"},
      {"min_duration=99999999999", "min_duration"},
      {"min_duration=", "min_duration"},
      {"limit=0", "limit"},
      {"limit=1001", "limit"},
      {"limit=ten", "limit"},
      {"limit=%2B5", "limit"},
      {"cursor=abc!", "cursor"},
      {"cursor=AAAA", "cursor"},
      {"cursor=", "cursor"},
      {"bogus=1", "bogus"},
      {"limit=5&limit=6", "limit"},
      {"number=%G1", "number"},
  };
  for (const auto& [query, parameter] : cases) {
    const json::value v = l.GetJson("/api/calls?" + query, 400);
    CHECK(v.at("parameter").as_string() == parameter);
    CHECK(std::string(v.at("error").as_string()).find(parameter) != std::string::npos);
  }
}

TEST_CASE("SQL injection attempts are refused or find nothing") {
  Ledger l;
  const std::string before = l.Count();
  REQUIRE(before == std::to_string(l.rows().size()));
  const std::vector<std::string> attacks = {"' OR 1=1 --", "'; DROP TABLE call_logs; --",
                                            "1' OR '1'='1", "1; DELETE FROM call_logs"};
  for (const auto& a : attacks) {
    for (const std::string p : {"number", "direction", "status", "answered", "recorded", "since",
                                "until", "min_duration", "limit", "cursor"}) {
      const json::value v = l.GetJson("/api/calls?" + p + "=" + Encode(a), 400);
      CHECK(v.at("parameter").as_string() == p);
      l.GetJson("/api/calls?" + Encode(a) + "=1", 400);
    }
    l.GetJson("/api/calls/" + Encode(a), 404);
    // A well-formed cursor carrying the attack: bound, so just a position.
    const json::value page =
        l.GetJson("/api/calls?cursor=" + server::EncodeCursor({l.rows()[0].start_us, a, a}));
    CHECK(page.at("items").as_array().size() <= 50);
  }
  CHECK(l.Count() == before);
}

// The same call log, read through the route functions' other endpoints.
std::string Collect(const HttpResponse& r, CallLogReader& reader) {
  std::string out = r.body;
  if (!r.next_chunk) return out;
  for (int i = 0; i < 100000; ++i) {
    auto chunk = r.next_chunk(reader);
    REQUIRE(chunk.ok());
    if (!*chunk) return out;
    out += **chunk;
  }
  FAIL("the stream does not end");
  return out;
}

TEST_CASE("CSV: every matching row, streamed a page at a time") {
  Ledger l;
  pg::PgCallLogReader reader(l.db().dsn());
  for (const std::string target : {"/api/calls.csv?limit=5", "/api/calls?format=csv&limit=5"}) {
    const HttpResponse r = l.Get(target);
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "text/csv; charset=utf-8");
    REQUIRE(r.next_chunk);
    const std::string csv = Collect(r, reader);
    // Header + every row, in the listing's order, as RowsToCsv writes them.
    CHECK(csv == projection::RowsToCsv(l.rows()));
  }
  server::ApiContext context{reader, nullptr, {}};
  const HttpResponse accept =
      HandleApiRequest({"GET", "/api/calls?direction=chiquvchi", "text/csv"}, context);
  std::vector<CallRow> outbound;
  for (const auto& r : l.rows()) {
    if (r.direction == "chiquvchi") outbound.push_back(r);
  }
  CHECK(Collect(accept, reader) == projection::RowsToCsv(outbound));
  CHECK(l.Get("/api/calls.csv?direction=x").status == 400);
}

TEST_CASE("stats and missed: figures over a period, bad parameters named") {
  Ledger l;
  const json::value st =
      l.GetJson("/api/stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z");
  // Every row of the ledger started that day: 2 nodes x the captures + 3
  // synthetic rows with a start time.
  const auto offered = std::count_if(l.rows().begin(), l.rows().end(),
                                     [](const CallRow& r) { return r.start_us != 0; });
  CHECK(st.at("offered").as_int64() == offered);
  const auto answered = std::count_if(l.rows().begin(), l.rows().end(), [](const CallRow& r) {
    return r.start_us != 0 && r.answered;
  });
  CHECK(st.at("answered").as_int64() == answered);
  CHECK(st.at("by_direction").at("kiruvchi").at("offered").as_int64() +
            st.at("by_direction").at("chiquvchi").at("offered").as_int64() <=
        offered);
  CHECK(st.at("since") == "2026-11-26T00:00:00.000Z");
  CHECK(st.at("service_level_seconds") == 20);
  CHECK(l.GetJson(
             "/api/"
             "stats?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&service_level_seconds=0")
            .at("service_level_seconds") == 0);
  // An empty period: zeros and nulls, not errors.
  const json::value empty =
      l.GetJson("/api/stats?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z");
  CHECK(empty.at("offered") == 0);
  CHECK(empty.at("abandon_rate").is_null());
  // The default period is today in the configured zone: it parses and is a day.
  const json::value today = l.GetJson("/api/stats");
  const auto since = ParseIsoTimestamp(std::string(today.at("since").as_string()));
  const auto until = ParseIsoTimestamp(std::string(today.at("until").as_string()));
  REQUIRE(since);
  REQUIRE(until);
  CHECK(*until - *since >= 23LL * 3600 * 1'000'000);
  CHECK(*until - *since <= 25LL * 3600 * 1'000'000);

  const json::value missed =
      l.GetJson("/api/missed?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z");
  const auto abandoned = std::count_if(l.rows().begin(), l.rows().end(), [](const CallRow& r) {
    return r.start_us != 0 && r.direction == "kiruvchi" && !r.answered &&
           r.status == CallStatus::kFinished;
  });
  CHECK(missed.at("items").as_array().size() == static_cast<std::size_t>(abandoned));
  for (const auto& m : missed.at("items").as_array()) {
    CHECK(m.at("call").at("answered") == false);
    CHECK(m.at("resolved").is_bool());
  }
  CHECK(l.GetJson("/api/missed?since=2026-11-26T00:00:00Z&until=2026-11-27T00:00:00Z&limit=1")
            .at("items")
            .as_array()
            .size() == std::min<std::size_t>(1, abandoned));

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/api/stats?since=yesterday", "since"},
      {"/api/stats?until=2026-11-26", "until"},
      {"/api/stats?service_level_seconds=-1", "service_level_seconds"},
      {"/api/stats?service_level_seconds=3601", "service_level_seconds"},
      {"/api/stats?number=1", "number"},
      {"/api/missed?open=maybe", "open"},
      {"/api/missed?limit=0", "limit"},
      {"/api/missed?limit=1001", "limit"},
      {"/api/missed?since=2026-11-26T00:00:00", "since"},
      {"/api/missed?status=kelyapti", "status"},
  };
  for (const auto& [target, parameter] : bad) {
    INFO(target);
    const json::value v = l.GetJson(target, 400);
    CHECK(v.at("parameter") == json::value(parameter));
  }
  // A period that ends before it starts says so.
  CHECK(l.Get("/api/stats?since=2026-11-27T00:00:00Z&until=2026-11-26T00:00:00Z").status == 400);

  const std::string before = l.Count();
  for (const std::string a : {"' OR 1=1 --", "'; DROP TABLE call_logs; --"}) {
    for (const std::string p : {"since", "until", "service_level_seconds"}) {
      CHECK(l.Get("/api/stats?" + p + "=" + Encode(a)).status == 400);
    }
    for (const std::string p : {"since", "until", "open", "limit"}) {
      CHECK(l.Get("/api/missed?" + p + "=" + Encode(a)).status == 400);
    }
  }
  CHECK(l.Count() == before);
}

TEST_CASE("events: a call's raw ledger records, as ledger-audit call lists them") {
  Ledger l;
  store::MemoryEventLog ledger("pbx-a");
  auto imported =
      replay::ImportJsonl(testing::CaptureDir() / "a-inbound-answered.observer.jsonl", ledger, {});
  REQUIRE(imported.ok());
  pg::PgCallLogReader reader(l.db().dsn());
  server::ApiContext context{reader, &ledger, {}};
  const HttpResponse r = HandleApiRequest({"GET", "/api/calls/1795684558.5/events", ""}, context);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const json::value v = json::parse(r.body);
  CHECK(v.at("call_id") == "1795684558.5");
  auto history = audit::CollectCall(ledger, "1795684558.5");
  REQUIRE(history.ok());
  const auto& records = v.at("records").as_array();
  REQUIRE(records.size() == history->seqs.size());
  std::size_t i = 0;
  REQUIRE(audit::VisitSeqs(ledger, history->seqs, [&](const Record& rec) {
            CHECK(json::parse(audit::RecordJsonLine(rec)) == records.at(i++));
            return true;
          }).ok());
  CHECK(HandleApiRequest({"GET", "/api/calls/nobody/events", ""}, context).status == 404);
  CHECK(HandleApiRequest({"GET", "/api/calls/" + Encode("' OR 1=1 --") + "/events", ""}, context)
            .status == 404);
}

TEST_CASE("unknown paths, other methods, unavailable database") {
  Ledger l;
  CHECK(l.Get("/api/nope").status == 404);
  CHECK(l.Get("/api/calls/x/events").status == 503);  // this context has no ledger
  CHECK(l.Get("/api/calls/").status == 404);
  CHECK(l.Send({"POST", "/api/calls", ""}).status == 405);
  CHECK(l.Send({"DELETE", "/api/calls/abc", ""}).status == 405);
  CHECK(l.Send({"POST", "/api/other", ""}).status == 404);

  // The server ends our session: the next request says 503, not an exception.
  REQUIRE(l.Get("/api/calls").status == 200);  // the reader is connected
  l.db().Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
      "AND pid <> pg_backend_pid()");
  const HttpResponse r = l.Get("/api/calls");
  INFO(r.body);
  CHECK(r.status == 503);
  CHECK(json::parse(r.body).at("error").is_string());
  // ... and the one after reconnects.
  CHECK(l.Get("/api/calls").status == 200);
}

}  // namespace
}  // namespace callledger
