// PgCallLogStore's errors on a real PostgreSQL (CALL_LEDGER_TEST_PG): rows
// the database would refuse are kInvalidInput and write nothing; a server
// that cannot be reached and a connection that breaks are kUnavailable, and
// the next call reconnects.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "pg/pg_call_log_store.h"
#include "pg_store_checks.h"
#include "support/call_rows.h"
#include "support/pg_test_db.h"
#include "support/store_checks.h"

namespace callledger {
namespace {

using pg::PgCallLogStore;
using testing::FullRow;
using testing::OpenStore;
using testing::RequireCheckpoint;
using testing::RequireRows;
using testing::TestDatabase;
using testing::Upsert;

TEST_CASE("pg: rows the database would refuse are kInvalidInput and write nothing", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  const CallRow good = FullRow("pbx", "good", 1);
  std::vector<RowChange> batch = {Upsert(good)};
  REQUIRE(store->ApplyBatch("pbx", Seq{0}, Seq{1}, batch).ok());

  CallRow bad_utf8 = FullRow("pbx", "x", 2);
  bad_utf8.caller_name = "truncated \xd0";
  CallRow nul = FullRow("pbx", "y", 3);
  nul.caller_name = std::string("a\0b", 3);
  CallRow other_node = FullRow("elsewhere", "z", 4);
  CallRow overflow = FullRow("pbx", "w", 5);
  overflow.duration_s = 1LL << 40;
  CallRow far_future = FullRow("pbx", "v", 6);
  far_future.end_us = 253402300800000000LL;  // 10000-01-01
  for (const CallRow& bad : {bad_utf8, nul, other_node, overflow, far_future}) {
    CAPTURE(bad.call_id);
    for (std::size_t padding : {0, 300}) {  // both write paths
      std::vector<RowChange> b = {Upsert(FullRow("pbx", "good", 9))};
      for (std::size_t i = 0; i < padding; ++i)
        b.push_back(Upsert(FullRow("pbx", "p" + std::to_string(i), 1)));
      b.push_back(Upsert(bad));
      const Status s = store->ApplyBatch("pbx", Seq{1}, Seq{2}, b);
      INFO(s.ToString());
      REQUIRE(s.code() == Code::kInvalidInput);
      RequireCheckpoint(*store, "pbx", 1);
      RequireRows(*store, "pbx", {good});
    }
    const std::vector<CallRow> rows = {FullRow("pbx", "q", 1), bad};
    REQUIRE(store->ReplaceAll("pbx", rows, Seq{7}).code() == Code::kInvalidInput);
    RequireCheckpoint(*store, "pbx", 1);
    RequireRows(*store, "pbx", {good});
    // The half-built table went with the error.
    REQUIRE(db.Exec("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_new\\_%'") == "0");
  }
  // A node name libpq would truncate.
  const std::string nul_node("pbx\0x", 5);
  REQUIRE(store->ApplyBatch(nul_node, Seq{1}, Seq{2}, {}).code() == Code::kInvalidInput);
  REQUIRE(store->Checkpoint(nul_node).status().code() == Code::kInvalidInput);
  REQUIRE(store->AllRows(nul_node).status().code() == Code::kInvalidInput);
  REQUIRE(store->ReplaceAll(nul_node, {}, Seq{1}).code() == Code::kInvalidInput);
  RequireCheckpoint(*store, "pbx", 1);
  // The store is still usable.
  REQUIRE(store->ApplyBatch("pbx", Seq{1}, Seq{2}, batch).ok());
}

int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);  // bound, never listened, now closed: connections are refused
  return ntohs(addr.sin_port);
}

TEST_CASE("pg: an unreachable server is kUnavailable, not a crash", "[pg]") {
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(ClosedPort()) +
                          " user=postgres dbname=postgres connect_timeout=5";
  auto store = PgCallLogStore::Open(dsn);
  REQUIRE_FALSE(store.ok());
  INFO(store.status().ToString());
  REQUIRE(store.status().code() == Code::kUnavailable);
}

TEST_CASE("pg: a broken connection is kUnavailable, and the next call reconnects", "[pg]") {
  TestDatabase db;
  auto store = OpenStore(db);
  std::vector<RowChange> batch = {Upsert(FullRow("pbx", "a", 1))};
  REQUIRE(store->ApplyBatch("pbx", Seq{0}, Seq{1}, batch).ok());

  const auto kill_sessions = [&] {
    REQUIRE(db.Exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()") == "1");
  };
  kill_sessions();
  const Status broken = store->ApplyBatch("pbx", Seq{1}, Seq{2}, batch);
  INFO(broken.ToString());
  REQUIRE(broken.code() == Code::kUnavailable);
  RequireCheckpoint(*store, "pbx", 1);  // reconnected
  REQUIRE(store->ApplyBatch("pbx", Seq{1}, Seq{2}, batch).ok());

  // Every entry point survives it.
  kill_sessions();
  REQUIRE(store->Checkpoint("pbx").status().code() == Code::kUnavailable);
  RequireRows(*store, "pbx", {FullRow("pbx", "a", 1)});
  kill_sessions();
  REQUIRE(store->AllRows("pbx").status().code() == Code::kUnavailable);
  const std::vector<CallRow> rows = {FullRow("pbx", "b", 2)};
  REQUIRE(store->ReplaceAll("pbx", rows, Seq{3}).ok());
  kill_sessions();
  REQUIRE(store->ReplaceAll("pbx", rows, Seq{4}).code() == Code::kUnavailable);
  RequireCheckpoint(*store, "pbx", 3);
  RequireRows(*store, "pbx", rows);
}

}  // namespace
}  // namespace callledger
