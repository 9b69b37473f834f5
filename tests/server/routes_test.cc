// The HTTP API's request -> response functions on a real PostgreSQL
// (server/api_ledger.h): query strings and cursors, every filter against the
// rows computed here independently, newest-first order, keyset pagination,
// one call. Bad requests: routes_errors_test.cc; the other endpoints:
// routes_endpoints_test.cc.
#include "server/routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api_ledger.h"
#include "core/utc_time.h"
#include "projection/row_format.h"
#include "server/call_query.h"

namespace callledger {
namespace {

namespace json = boost::json;
using testing::Encode;
using testing::Key;
using testing::Ledger;

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

  total = 0;
  for (Evidence e : {Evidence::kAri, Evidence::kCel}) {
    const std::size_t n = check("evidence=" + std::string(EvidenceName(e)),
                                [&](const CallRow& r) { return r.evidence == e; });
    CHECK(n > 0);
    total += n;
  }
  CHECK(total == rows.size());
  for (EndReason e : {EndReason::kHangup, EndReason::kGap, EndReason::kPbxRestart}) {
    CHECK(check("end_reason=" + std::string(EndReasonName(e)),
                [&](const CallRow& r) { return r.end_reason == e; }) > 0);
  }

  // Each PBX's rows, when several share the database.
  total = 0;
  for (const std::string node : {"pbx-a", "pbx-b", "pbx-c"}) {
    const std::size_t n = check("node=" + node, [&](const CallRow& r) { return r.node == node; });
    CHECK(n > 0);
    total += n;
  }
  CHECK(total == rows.size());
  CHECK(check("node=pbx-z", [](const CallRow&) { return false; }) == 0);
  check("node=pbx-c&evidence=cel",
        [](const CallRow& r) { return r.node == "pbx-c" && r.evidence == Evidence::kCel; });

  // Who took the call (projector version 9): each agent's rows, exactly.
  std::set<std::string> agents;
  for (const auto& r : rows) {
    if (!r.agent.empty()) agents.insert(r.agent);
  }
  REQUIRE(agents.size() > 3);
  total = 0;
  for (const std::string& agent : agents) {
    const std::size_t n =
        check("agent=" + Encode(agent), [&](const CallRow& r) { return r.agent == agent; });
    CHECK(n > 0);
    total += n;
  }
  CHECK(total == static_cast<std::size_t>(std::count_if(
                     rows.begin(), rows.end(), [](const CallRow& r) { return !r.agent.empty(); })));
  CHECK(check("agent=10", [](const CallRow& r) { return r.agent == "10"; }) == 0);  // not a prefix
  check("agent=101&direction=kiruvchi&answered=true", [](const CallRow& r) {
    return r.agent == "101" && r.direction == "kiruvchi" && r.answered;
  });

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
  check("end_reason=gap&evidence=ari", [](const CallRow& r) {
    return r.end_reason == EndReason::kGap && r.evidence == Evidence::kAri;
  });
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

}  // namespace
}  // namespace callledger
