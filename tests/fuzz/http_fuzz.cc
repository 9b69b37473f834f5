// The HTTP API's pure request path on a request built from the bytes: the
// access token taken from the target, the Authorization header decided,
// then the routes, query parsing and cursors of HandleApiRequest against a
// reader that answers with one fixed row. No crash; every response has a
// status the API documents, and a streamed body ends.
//
// Input: "<target>\n<authorization>\n<accept>\n<method>", missing parts
// empty (the method then GET).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/call_log_reader.h"
#include "fuzz_check.h"
#include "server/auth.h"
#include "server/routes.h"

using namespace callledger;

namespace {

// One row; Search says more follow only on a first page, so a streamed
// export reads two pages and ends.
class OneRowReader final : public CallLogReader {
 public:
  Result<CallPage> Search(const CallQuery& query) override {
    CallPage page;
    page.items.push_back(Row());
    if (!query.after) page.next = CallCursor{Row().start_us, Row().call_id, Row().node};
    return page;
  }
  Result<std::optional<CallRow>> Find(std::string_view call_id) override {
    if (call_id != Row().call_id) return std::optional<CallRow>();
    return std::optional<CallRow>(Row());
  }
  Result<LiveCalls> Live(std::string_view) override { return LiveCalls{Seq{7}, {Row()}}; }
  Result<CallStats> Stats(const StatsQuery& query) override {
    CallStats stats;
    stats.service_level_seconds = query.service_level_seconds;
    return stats;
  }
  Result<MissedList> Missed(const MissedQuery&) override { return MissedList{}; }
  Result<AgentList> Agents(const AgentsQuery&) override {
    AgentList list;
    list.agents.push_back(
        AgentNow{"101", AgentState::kTalking, "call-1", "pbx1", "998901", 1, 2, 1, 3});
    return list;
  }
  Result<GroupedStats> Grouped(const GroupedStatsQuery& query) override {
    GroupedStats stats;
    stats.service_level_seconds = query.stats.service_level_seconds;
    stats.groups.push_back(
        StatsGroupFigures{std::nullopt, "2026-11-26T14:00", {}, 0, std::nullopt});
    return stats;
  }

 private:
  static CallRow Row() {
    CallRow row;
    row.node = "pbx1";
    row.call_id = "call-1";
    row.channel_id = "1700000000.1";
    row.from_number = "+998901234567";
    row.start_us = 1'700'000'000'000'000;
    return row;
  }
};

// The next '\n'-ended part of `rest`, consumed.
std::string_view NextPart(std::string_view& rest) {
  const std::size_t end = rest.find('\n');
  const std::string_view part = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return part;
}

bool DocumentedStatus(int status) {
  return status == 200 || status == 400 || status == 404 || status == 405 || status == 503 ||
         status == 500;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view raw_target = NextPart(rest);
  const std::string_view authorization = NextPart(rest);
  const std::string_view accept = NextPart(rest);
  const std::string_view method = NextPart(rest);

  auto [target, query_token] = server::TakeAccessToken(raw_target);
  const server::AuthPolicy policy{"secret-token", false};
  (void)server::Authorize(policy, false, authorization, query_token);  // any decision will do

  server::HttpRequest request;
  request.method = method.empty() ? "GET" : std::string(method);
  request.target = std::move(target);
  request.accept = std::string(accept);
  OneRowReader reader;
  server::ApiContext context{reader, nullptr, {}};
  const server::HttpResponse response = server::HandleApiRequest(request, context);
  FUZZ_CHECK(DocumentedStatus(response.status));
  if (response.next_chunk) {
    // Two pages of one row each, so a few chunks at most.
    int chunks = 0;
    for (;;) {
      auto chunk = response.next_chunk(reader);
      if (!chunk.ok() || !chunk.value()) break;
      FUZZ_CHECK(++chunks < 100);
    }
  }
  return 0;
}
