// CollectCall on a damaged ledger: what it reads to link channels is data
// like any other, so damage there is kDataLoss for the auditor, never a
// history that is silently missing a leg. (Its results on sound ledgers are
// in collect_call_test.cc.)
#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "audit/call_links.h"
#include "replay/import.h"
#include "store/index_keys.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::audit {
namespace {

// The k1 transfer's call channel is the `;2` half of a Local channel, so
// CollectCall also scans the records around it for the `;1` half.
constexpr char kCall[] = "1795684640.55";

void Import(EventLog& log) {
  replay::ImportOptions options;
  options.clock = [] { return std::int64_t{1795684558000000}; };
  auto report = replay::ImportJsonl(testing::CaptureDir() / "k1-transfer-hold-dtmf.observer.jsonl",
                                    log, options);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
}

void RequireDataLoss(const Result<CallHistory>& h) {
  INFO(h.status().ToString());
  REQUIRE_FALSE(h.ok());
  CHECK(h.status().code() == Code::kDataLoss);
}

TEST_CASE("CollectCall reports kDataLoss when the scan for a Local other half fails") {
  testing::TempDir tmp("collect-damaged");
  store::RocksOptions options;
  options.node = "pbx";
  auto opened = store::RocksEventLog::Open(tmp / "ledger", options);
  REQUIRE(opened.ok());
  store::RocksEventLog& log = **opened;
  Import(log);
  REQUIRE(CollectCall(log, kCall).ok());

  // A stray key after every record: RocksDB damage as a scan of the records
  // family meets it. Point reads and index lookups never see these keys, so
  // only the scan can report them.
  rocksdb::DB* db = log.raw_db_for_test();
  for (std::uint64_t seq = 1; seq <= log.Head().seq.value; ++seq) {
    const std::string stray = store::EncodeSeqKey(Seq{seq}) + "!";
    REQUIRE(db->Put(rocksdb::WriteOptions(), log.records_family_for_test(), stray, "").ok());
  }
  RequireDataLoss(CollectCall(log, kCall));
}

TEST_CASE("CollectCall reports kDataLoss for a record it scans that does not decode") {
  store::MemoryEventLog log("pbx");
  Import(log);
  auto sound = CollectCall(log, kCall);
  REQUIRE(sound.ok());
  const std::set<Seq> in_history(sound->seqs.begin(), sound->seqs.end());

  // Damage the first record before the call's end that is no part of its
  // history: only the scan for the Local other half reads it.
  auto own = log.Lookup(IndexKind::kChannel, kCall);
  REQUIRE(own.ok());
  REQUIRE_FALSE(own->empty());
  Seq outside{0};
  for (std::uint64_t seq = 1; seq <= own->back().value && outside.value == 0; ++seq) {
    if (in_history.count(Seq{seq}) == 0) outside = Seq{seq};
  }
  REQUIRE(outside.value != 0);
  log.TamperForTest(outside, 0, '\x7f');
  RequireDataLoss(CollectCall(log, kCall));
}

}  // namespace
}  // namespace callledger::audit
