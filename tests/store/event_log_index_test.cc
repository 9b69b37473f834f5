// The EventLog contract's indexes (core/event_log.h), run against both
// implementations (store/event_log_checks.h): Lookup lists ascending seqs
// per channel, bridge and call id across batches; ids with a NUL byte or
// longer than 256 bytes are not indexed, and their records are kept whole.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "event_log_checks.h"

namespace callledger {
namespace {

using testing::Decode;
using testing::Draft;
using testing::LookupValues;
using testing::MemoryLogFactory;
using testing::RocksLogFactory;

TEMPLATE_TEST_CASE("Lookup lists ascending seqs per index across batches", "[contract]",
                   MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  // Batch 1 (seqs 1..5): A in non-adjacent records, B between them, a record
  // that names A twice, a bridge and a call id.
  std::vector<RecordDraft> batch1 = {
      Draft("e1", {"A"}, {"br-1"}),
      Draft("e2", {"B"}, {}, {"call-9"}),
      Draft("e3", {"A", "B", "A"}),
      Draft("e4", {"B"}, {"br-1"}),
      Draft("e5", {"A"}, {}, {"call-9", "A"}),
  };
  REQUIRE(log->Append(batch1).ok());
  // Batch 2 (seqs 6..7): nothing about A.
  REQUIRE(log->Append(std::vector<RecordDraft>{Draft("e6", {"C"}), Draft("e7", {"B"})}).ok());
  // Batch 3 (seqs 8..10).
  std::vector<RecordDraft> batch3 = {
      Draft("e8", {"A"}, {"br-2"}),
      Draft("e9", {}, {"br-1"}, {"call-9"}),
      Draft("e10", {"C", "A"}),
  };
  REQUIRE(log->Append(batch3).ok());

  CHECK(LookupValues(*log, IndexKind::kChannel, "A") == std::vector<std::uint64_t>{1, 3, 5, 8, 10});
  CHECK(LookupValues(*log, IndexKind::kChannel, "B") == std::vector<std::uint64_t>{2, 3, 4, 7});
  CHECK(LookupValues(*log, IndexKind::kChannel, "C") == std::vector<std::uint64_t>{6, 10});
  CHECK(LookupValues(*log, IndexKind::kBridge, "br-1") == std::vector<std::uint64_t>{1, 4, 9});
  CHECK(LookupValues(*log, IndexKind::kBridge, "br-2") == std::vector<std::uint64_t>{8});
  CHECK(LookupValues(*log, IndexKind::kCall, "call-9") == std::vector<std::uint64_t>{2, 5, 9});
  CHECK(LookupValues(*log, IndexKind::kCall, "A") == std::vector<std::uint64_t>{5});

  // Indexes are separate, and ids match exactly, not by prefix.
  CHECK(LookupValues(*log, IndexKind::kBridge, "A").empty());
  CHECK(LookupValues(*log, IndexKind::kCall, "B").empty());
  CHECK(LookupValues(*log, IndexKind::kChannel, "br-1").empty());
  CHECK(LookupValues(*log, IndexKind::kBridge, "br").empty());
  CHECK(LookupValues(*log, IndexKind::kChannel, "").empty());
  CHECK(LookupValues(*log, IndexKind::kChannel, "AA").empty());
}

TEMPLATE_TEST_CASE("ids with a NUL byte or longer than 256 bytes are not indexed, records kept",
                   "[contract]", MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  const std::string with_nul("ab\0cd", 5);
  const std::string max_len(256, 'm');
  const std::string too_long(257, 'm');
  const std::string bridge_with_nul("br\0", 3);
  std::vector<RecordDraft> batch = {
      Draft("nul", {with_nul, "ok-1"}),
      Draft("long", {too_long, max_len}, {bridge_with_nul}, {too_long}),
      Draft("empty", {""}, {""}, {""}),
      Draft("ab", {"ab"}),
  };
  Result<SeqRange> range = log->Append(batch);
  REQUIRE(range.ok());
  CHECK(range->last == Seq{4});

  CHECK(LookupValues(*log, IndexKind::kChannel, with_nul).empty());
  CHECK(LookupValues(*log, IndexKind::kChannel, too_long).empty());
  CHECK(LookupValues(*log, IndexKind::kCall, too_long).empty());
  CHECK(LookupValues(*log, IndexKind::kBridge, bridge_with_nul).empty());
  CHECK(LookupValues(*log, IndexKind::kChannel, "").empty());
  // Neighbours of the unindexed ids are unaffected.
  CHECK(LookupValues(*log, IndexKind::kChannel, "ok-1") == std::vector<std::uint64_t>{1});
  CHECK(LookupValues(*log, IndexKind::kChannel, max_len) == std::vector<std::uint64_t>{2});
  CHECK(LookupValues(*log, IndexKind::kChannel, "ab") == std::vector<std::uint64_t>{4});
  CHECK(LookupValues(*log, IndexKind::kBridge, "br").empty());

  // The records themselves keep the ids byte for byte.
  CHECK(Decode(*log, Seq{1}).channel_ids == std::vector<std::string>{with_nul, "ok-1"});
  CHECK(Decode(*log, Seq{2}).channel_ids == std::vector<std::string>{too_long, max_len});
  CHECK(Decode(*log, Seq{2}).bridge_ids == std::vector<std::string>{bridge_with_nul});
  CHECK(Decode(*log, Seq{2}).call_ids == std::vector<std::string>{too_long});
  CHECK(log->Head().seq == Seq{4});
}

}  // namespace
}  // namespace callledger
