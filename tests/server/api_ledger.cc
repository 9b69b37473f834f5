#include "api_ledger.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <optional>

#include "pg/pg_call_log_store.h"
#include "replay/fixture.h"
#include "support/fixtures.h"

namespace callledger::testing {

namespace json = boost::json;
using server::HandleApiRequest;
using server::HttpResponse;

namespace {

// Newest first: start DESC (no start last), call_id DESC, node DESC, bytewise.
bool Newer(const CallRow& a, const CallRow& b) {
  if ((a.start_us == 0) != (b.start_us == 0)) return b.start_us == 0;
  if (a.start_us != b.start_us) return a.start_us > b.start_us;
  if (a.call_id != b.call_id) return a.call_id > b.call_id;
  return a.node > b.node;
}

}  // namespace

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

Ledger::Ledger() : reader_(db_.dsn()) {
  auto store = pg::PgCallLogStore::Open(db_.dsn());
  REQUIRE(store.ok());
  for (const std::string node : {"pbx-a", "pbx-b"}) {
    std::vector<CallRow> node_rows;
    for (const auto& s : CapturedStreams()) {
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
    // Values the captures never have: healed from CEL, ended by a gap or a
    // PBX restart (the filters' tests).
    if (i < 2) r.end_reason = i == 0 ? EndReason::kGap : EndReason::kPbxRestart;
    r.end_estimated = IsEstimatedEnd(r.end_reason);
    r.evidence = i % 2 ? Evidence::kCel : Evidence::kAri;
    synth.push_back(r);
  }
  REQUIRE((*store)->ReplaceAll("pbx-c", synth, Seq{1}).ok());
  rows_.insert(rows_.end(), synth.begin(), synth.end());
  std::sort(rows_.begin(), rows_.end(), Newer);
}

HttpResponse Ledger::Get(const std::string& target) { return Send({"GET", target, ""}); }

HttpResponse Ledger::Send(const server::HttpRequest& request) {
  server::ApiContext context{reader_, nullptr, {}};
  return HandleApiRequest(request, context);
}

json::value Ledger::GetJson(const std::string& target, int want_status) {
  const HttpResponse r = Get(target);
  INFO(target << " -> " << r.body);
  REQUIRE(r.status == want_status);
  REQUIRE(r.content_type == "application/json");
  return json::parse(r.body);
}

std::vector<Key> Ledger::WalkAll(const std::string& query, int limit) {
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

std::vector<Key> Ledger::Expected(const std::function<bool(const CallRow&)>& keep) const {
  std::vector<Key> out;
  for (const auto& r : rows_) {
    if (keep(r)) out.emplace_back(r.call_id, r.node);
  }
  return out;
}

}  // namespace callledger::testing
