// The HTTP server shell over real loopback sockets and a real PostgreSQL:
// the API as the routes answer it, CSV streamed in chunks, auth, named
// limits, the wallboard's assets, metrics, health, and the live feed
// (snapshot, then committed changes in order; a client that stops reading
// is cut off while the others keep receiving).
#include "server/http_server.h"

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "pg/pg_call_log_reader.h"
#include "pg/pg_call_log_store.h"
#include "projection/row_format.h"
#include "replay/fixture.h"
#include "support/fixtures.h"
#include "support/http_client.h"
#include "support/pg_test_db.h"
#include "support/wait.h"

namespace callledger {
namespace {

namespace json = boost::json;
using testing::HttpGet;
using testing::HttpRaw;
using testing::WsClient;

constexpr const char* kNode = "pbx-http";
const std::string kToken = "test-token-0123456789abcdef";

// A server on a port of its own over a database holding the rows of every
// captured observer session.
class Served {
 public:
  explicit Served(server::HttpServerOptions options = {}) {
    auto store = pg::PgCallLogStore::Open(db_.dsn());
    REQUIRE(store.ok());
    store_ = std::move(*store);
    for (const auto& s : testing::CapturedStreams()) {
      if (!s.filename().string().ends_with(".observer.jsonl")) continue;
      replay::FixtureOptions opts;
      opts.node = kNode;
      auto result = replay::RunFixture(s, opts);
      REQUIRE(result.ok());
      rows_.insert(rows_.end(), result->rows.begin(), result->rows.end());
    }
    REQUIRE(store_->ReplaceAll(kNode, rows_, Seq{0}).ok());
    options.host = "127.0.0.1";
    options.port = 0;
    options.node = kNode;
    server::HttpServerDeps deps;
    const std::string dsn = db_.dsn();
    deps.make_reader = [dsn] { return std::make_unique<pg::PgCallLogReader>(dsn); };
    deps.metrics = &metrics_;
    deps.health = [this] { return health_; };
    server_ = std::make_unique<server::HttpServer>(options, deps);
    auto address = server_->Start();
    REQUIRE(address.ok());
    address_ = *address;
  }
  ~Served() { server_->Stop(); }

  const std::string& address() const { return address_; }
  const std::vector<CallRow>& rows() const { return rows_; }
  server::HttpServer& server() { return *server_; }
  CallLogStore& store() { return *store_; }
  MetricsRegistry& metrics() { return metrics_; }
  void set_health(server::HealthReport r) { health_ = r; }

 private:
  testing::TestDatabase db_;
  std::unique_ptr<pg::PgCallLogStore> store_;
  std::vector<CallRow> rows_;
  MetricsRegistry metrics_;
  server::HealthReport health_{true, true, true, 5, 5, 0};
  std::unique_ptr<server::HttpServer> server_;
  std::string address_;
};

// Whether the Prometheus text holds `line` as a whole line.
bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

std::size_t Lines(const std::string& text) {
  std::size_t n = 0;
  for (std::size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at + 2))
    ++n;
  return n;
}

TEST_CASE("over HTTP: search, one call, errors, as the routes answer them") {
  Served s;
  const auto all = HttpGet(s.address(), "/api/calls?limit=1000");
  REQUIRE(all.status == 200);
  CHECK(all.headers.at("content-type") == "application/json");
  const auto items = json::parse(all.body).at("items").as_array();
  CHECK(items.size() == s.rows().size());

  const CallRow& one = s.rows().front();
  const auto found = HttpGet(s.address(), "/api/calls/" + one.call_id);
  REQUIRE(found.status == 200);
  CHECK(json::parse(found.body).at("from_number") == json::value(one.from_number));

  CHECK(HttpGet(s.address(), "/api/calls/no-such-call").status == 404);
  CHECK(HttpGet(s.address(), "/nowhere").status == 404);
  const auto bad = HttpGet(s.address(), "/api/calls?direction=sideways");
  CHECK(bad.status == 400);
  CHECK(json::parse(bad.body).at("parameter") == "direction");
  const auto post =
      HttpRaw(s.address(), "POST /api/calls HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  CHECK(post.status == 405);
  CHECK(HttpRaw(s.address(), "NONSENSE\r\n\r\n").status == 400);
}

TEST_CASE("CSV export is streamed in chunks and holds every matching row") {
  Served s;
  // limit is the page size of the reads behind the stream: 3 rows per
  // chunk makes many chunks.
  const auto csv = HttpGet(s.address(), "/api/calls.csv?limit=3");
  REQUIRE(csv.status == 200);
  CHECK(csv.complete);
  CHECK(csv.headers.at("transfer-encoding") == "chunked");
  CHECK(csv.headers.at("content-type") == "text/csv; charset=utf-8");
  CHECK(Lines(csv.body) == s.rows().size() + 1);
  const auto header = csv.body.substr(0, csv.body.find("\r\n"));
  CHECK(header == projection::RowsToCsv({}).substr(0, projection::RowsToCsv({}).size() - 2));
  for (const auto& r : s.rows())
    CHECK(csv.body.find("\r\n" + r.call_id + ",") != std::string::npos);

  // The same through Accept and format=, with a filter.
  const auto inbound =
      HttpGet(s.address(), "/api/calls?direction=kiruvchi", {{"Accept", "text/csv"}});
  const auto inbound2 = HttpGet(s.address(), "/api/calls?direction=kiruvchi&format=csv");
  REQUIRE(inbound.status == 200);
  CHECK(inbound.body == inbound2.body);
  const auto expected = std::count_if(s.rows().begin(), s.rows().end(),
                                      [](const CallRow& r) { return r.direction == "kiruvchi"; });
  CHECK(Lines(inbound.body) == static_cast<std::size_t>(expected) + 1);
  CHECK(HttpGet(s.address(), "/api/calls?format=xml").status == 400);
}

TEST_CASE("auth: a bearer token is required off the loopback exemption") {
  server::HttpServerOptions o;
  o.bearer_token = kToken;
  o.allow_loopback_without_token = false;
  Served s(o);
  const auto denied = HttpGet(s.address(), "/api/calls");
  CHECK(denied.status == 401);
  CHECK(denied.headers.at("www-authenticate").starts_with("Bearer"));
  CHECK(HttpGet(s.address(), "/api/calls", {{"Authorization", "Bearer wrong-token-0123456789abc"}})
            .status == 401);
  CHECK(HttpGet(s.address(), "/api/calls", {{"Authorization", "Bearer " + kToken}}).status == 200);
  CHECK(HttpGet(s.address(), "/api/calls?access_token=" + kToken).status == 200);
  CHECK(HttpGet(s.address(), "/metrics").status == 401);
  // The wallboard's files hold no data: served to anyone, so a wall screen
  // can load the page that then sends its token.
  CHECK(HttpGet(s.address(), "/").status == 200);
  CHECK(HttpGet(s.address(), "/api/stats").status == 401);

  std::string error;
  CHECK(WsClient::Connect(s.address(), "/api/live", &error) == nullptr);
  auto live = WsClient::Connect(s.address(), "/api/live?access_token=" + kToken, &error);
  REQUIRE(live != nullptr);
  CHECK(live->Read().has_value());  // the snapshot
}

TEST_CASE("named limits: header size, connections, a request that never ends") {
  server::HttpServerOptions o;
  o.limits.max_header_bytes = 2048;
  o.limits.max_connections = 2;
  o.limits.request_timeout = std::chrono::milliseconds(500);
  Served s(o);
  const auto big = HttpGet(s.address(), "/api/calls", {{"X-Padding", std::string(4000, 'a')}});
  CHECK(big.status == 431);

  {
    // Two idle connections take both places; a third is turned away, and
    // counted, until they go.
    const auto open_now = [&](int n) {
      return HasLine(s.metrics().RenderPrometheus(),
                     "call_ledger_http_connections " + std::to_string(n));
    };
    REQUIRE(testing::WaitUntil([&] { return open_now(0); }, std::chrono::seconds(2),
                               "the first request's connection to end"));
    std::thread a(
        [&] { HttpRaw(s.address(), "GET /api/calls HTTP/1.1\r\n", std::chrono::seconds(3)); });
    std::thread b(
        [&] { HttpRaw(s.address(), "GET /api/calls HTTP/1.1\r\n", std::chrono::seconds(3)); });
    // Both accepted and counted by the server; they hold their places until
    // request_timeout (500 ms) closes them.
    CHECK(testing::WaitUntil([&] { return open_now(2); }, std::chrono::seconds(2),
                             "both idle connections to be open"));
    const auto third = HttpGet(s.address(), "/healthz", {}, std::chrono::seconds(2));
    CHECK(third.status == 0);
    a.join();
    b.join();
  }
  CHECK(s.metrics().RenderPrometheus().find("call_ledger_http_rejected_connections_total 1") !=
        std::string::npos);

  // Half a request: the server closes the connection after request_timeout.
  const auto start = std::chrono::steady_clock::now();
  const auto half =
      HttpRaw(s.address(), "GET /api/calls HTTP/1.1\r\nHost: x\r\n", std::chrono::seconds(5));
  CHECK(half.status == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  CHECK(HttpGet(s.address(), "/healthz").status == 200);
}

TEST_CASE("wallboard assets, metrics and health over HTTP") {
  Served s;
  const auto page = HttpGet(s.address(), "/");
  REQUIRE(page.status == 200);
  CHECK(page.headers.at("content-type").starts_with("text/html"));
  const std::string etag = page.headers.at("etag");
  CHECK(HttpGet(s.address(), "/", {{"If-None-Match", etag}}).status == 304);
  const auto head = HttpRaw(s.address(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(head.status == 200);

  HttpGet(s.address(), "/api/calls?limit=1");
  HttpGet(s.address(), "/api/calls/abc");
  const auto metrics = HttpGet(s.address(), "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.headers.at("content-type").starts_with("text/plain; version=0.0.4"));
  CHECK(
      metrics.body.find("call_ledger_http_requests_total{route=\"/api/calls\",status=\"200\"} 1") !=
      std::string::npos);
  CHECK(metrics.body.find(
            "call_ledger_http_requests_total{route=\"/api/calls/{id}\",status=\"404\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("call_ledger_live_clients 0") != std::string::npos);

  CHECK(HttpGet(s.address(), "/healthz").status == 200);
  s.set_health({false, true, true, 5, 5, 0});
  const auto sick = HttpGet(s.address(), "/healthz");
  CHECK(sick.status == 503);
  CHECK(json::parse(sick.body).at("ari_connected") == false);
}

CallRow LiveRow(const std::string& id, CallStatus status, std::uint64_t seq) {
  CallRow r;
  r.node = kNode;
  r.call_id = id;
  r.channel_id = id;
  r.direction = "kiruvchi";
  r.from_number = "998901112233";
  r.to_number = "712001122";
  r.start_us = 1'795'684'558'161'000;
  r.status = status;
  r.first_seq = Seq{seq};
  r.last_seq = Seq{seq};
  return r;
}

TEST_CASE("live feed: a snapshot of unfinished calls, then committed changes in order") {
  Served s;
  // Commit a ringing call at seq 10, as the projection would.
  const CallRow ringing = LiveRow("live-1", CallStatus::kRinging, 10);
  REQUIRE(s.store()
              .ApplyBatch(kNode, Seq{0}, Seq{10},
                          std::vector<RowChange>{{RowChange::Op::kUpsert, ringing}})
              .ok());

  auto client = WsClient::Connect(s.address(), "/api/live");
  REQUIRE(client != nullptr);
  const auto first = client->Read();
  REQUIRE(first);
  const auto snapshot = json::parse(*first);
  CHECK(snapshot.at("type") == "snapshot");
  CHECK(snapshot.at("seq") == 10);
  const auto& calls = snapshot.at("calls").as_array();
  REQUIRE(calls.size() == 1);  // the captured calls are all finished
  CHECK(calls[0].at("call_id") == "live-1");
  CHECK(calls[0].at("status") == "kelyapti");

  // A batch the snapshot already holds is not sent again; later ones are,
  // in order.
  s.server().Publish(Seq{10}, {{RowChange::Op::kUpsert, ringing}});
  const CallRow talking = LiveRow("live-1", CallStatus::kTalking, 11);
  CallRow finished = LiveRow("live-1", CallStatus::kFinished, 12);
  finished.end_us = finished.start_us + 5'000'000;
  s.server().Publish(Seq{11}, {{RowChange::Op::kUpsert, talking}});
  s.server().Publish(Seq{12}, {{RowChange::Op::kUpsert, finished}});
  s.server().Publish(Seq{13}, {{RowChange::Op::kDelete, finished}});
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const auto m = client->Read();
    REQUIRE(m);
    const auto v = json::parse(*m);
    CHECK(v.at("type") == "changes");
    const auto& change = v.at("changes").as_array().at(0);
    seen.push_back(std::to_string(v.at("seq").as_int64()) + " " +
                   std::string(change.at("op").as_string()) +
                   (change.as_object().contains("call")
                        ? " " + std::string(change.at("call").at("status").as_string())
                        : ""));
  }
  CHECK(seen ==
        std::vector<std::string>{"11 upsert suhbatda", "12 upsert yakunlandi", "13 delete"});
  CHECK(s.metrics().RenderPrometheus().find("call_ledger_live_clients 1") != std::string::npos);
}

TEST_CASE("live feed: a client that stops reading is cut off, the others keep receiving") {
  server::HttpServerOptions o;
  o.limits.live_queue_messages = 128;
  Served s(o);
  auto slow = WsClient::Connect(s.address(), "/api/live");
  auto reader = WsClient::Connect(s.address(), "/api/live");
  REQUIRE(slow != nullptr);
  REQUIRE(reader != nullptr);
  REQUIRE(reader->Read());  // snapshot; the slow client never reads its own

  // 20 MB in all, more than loopback socket buffers hold, so the slow
  // client's queue grows; the reader drains its own on another thread.
  constexpr int kBatches = 1000;
  std::vector<RowChange> batch;
  for (int i = 0; i < 20; ++i) {
    CallRow r = LiveRow("bulk-" + std::to_string(i), CallStatus::kTalking, 100);
    r.caller_name = std::string(900, 'x');
    batch.push_back({RowChange::Op::kUpsert, r});
  }
  std::atomic<int> received{0};
  std::int64_t last_seq = 0;
  bool in_order = true;
  std::thread drain([&] {
    while (received < kBatches) {
      const auto m = reader->Read(std::chrono::seconds(20));
      if (!m) break;
      const auto seq = json::parse(*m).at("seq").as_int64();
      in_order = in_order && seq > last_seq;
      last_seq = seq;
      ++received;
    }
  });
  // The reader is never more than kWindow batches behind, well inside its
  // queue of 128, so only the client that does not read can be cut off.
  constexpr int kWindow = 32;
  bool kept_up = true;
  for (int i = 1; i <= kBatches && kept_up; ++i) {
    kept_up = testing::WaitUntil([&] { return received >= i - kWindow; }, std::chrono::seconds(20),
                                 "the reading client to keep up");
    if (kept_up) s.server().Publish(Seq{static_cast<std::uint64_t>(1000 + i)}, batch);
  }
  drain.join();
  CHECK(kept_up);
  CHECK(received == kBatches);
  CHECK(in_order);
  CHECK(slow->WaitClosed(std::chrono::seconds(10)));
  const std::string metrics = s.metrics().RenderPrometheus();
  CHECK(metrics.find("call_ledger_live_slow_disconnects_total 1") != std::string::npos);
}

}  // namespace
}  // namespace callledger
