// The EventLog contract (core/event_log.h), run against both implementations
// (store/event_log_checks.h): the in-memory twin and RocksDB in a temporary
// directory. Anything one of them does differently from the other is a bug
// in that one. Appending and reading here; the indexes:
// event_log_index_test.cc; readers beside a writer:
// event_log_readers_test.cc.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/event_log.h"
#include "event_log_checks.h"
#include "record/record_codec.h"

namespace callledger {
namespace {

using testing::Decode;
using testing::Drafts;
using testing::Iota;
using testing::kNode;
using testing::LookupValues;
using testing::MemoryLogFactory;
using testing::RocksLogFactory;
using testing::ScanKeys;

TEMPLATE_TEST_CASE("an empty log has head 0, zero hash and no records", "[contract]",
                   MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  CHECK(log->Head().seq == Seq{0});
  CHECK(log->Head().hash == Sha256Digest{});
  CHECK(log->Info().node == kNode);
  CHECK(log->Info().schema_version == kRecordSchemaVersion);
  CHECK(log->ReadEncoded(Seq{1}).status().code() == Code::kNotFound);
  CHECK(ScanKeys(*log, Seq{0}, Seq{UINT64_MAX}).empty());
  CHECK(LookupValues(*log, IndexKind::kChannel, "1.1").empty());
  CHECK(log->Sync().ok());
}

TEMPLATE_TEST_CASE("Append assigns dense seqs from 1 and chains every record", "[contract]",
                   MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();

  Result<SeqRange> a = log->Append(Drafts(3, "a"));
  REQUIRE(a.ok());
  CHECK(a->first == Seq{1});
  CHECK(a->last == Seq{3});
  Result<SeqRange> b = log->Append(Drafts(1, "b"));
  REQUIRE(b.ok());
  CHECK(b->first == Seq{4});
  CHECK(b->last == Seq{4});
  Result<SeqRange> c = log->Append(Drafts(10, "c"));
  REQUIRE(c.ok());
  CHECK(c->first == Seq{5});
  CHECK(c->last == Seq{14});

  CHECK(ScanKeys(*log, Seq{1}, Seq{UINT64_MAX}) == Iota(1, 14));
  Sha256Digest prev{};
  for (std::uint64_t s = 1; s <= 14; ++s) {
    INFO("seq " << s);
    const Record r = Decode(*log, Seq{s});
    CHECK(r.seq == Seq{s});
    CHECK(r.node == kNode);
    CHECK(r.version == kRecordSchemaVersion);
    CHECK(r.prev_hash == prev);
    Result<Sha256Digest> computed = ComputeRecordHash(*log->ReadEncoded(Seq{s}));
    REQUIRE(computed.ok());
    CHECK(*computed == r.hash);
    prev = r.hash;
  }
  // The drafts' content is what was stored, in order.
  CHECK(Decode(*log, Seq{1}).event_type == "a-0");
  CHECK(Decode(*log, Seq{3}).event_type == "a-2");
  CHECK(Decode(*log, Seq{4}).event_type == "b-0");
  CHECK(Decode(*log, Seq{14}).event_type == "c-9");
  CHECK(Decode(*log, Seq{14}).payload == "{\"type\":\"c-9\"}");

  const LedgerHead head = log->Head();
  CHECK(head.seq == Seq{14});
  CHECK(head.hash == prev);
}

TEMPLATE_TEST_CASE("an empty batch is kInvalidInput and changes nothing", "[contract]",
                   MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  Result<SeqRange> empty = log->Append({});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().code() == Code::kInvalidInput);
  CHECK(log->Head().seq == Seq{0});

  REQUIRE(log->Append(Drafts(2, "x")).ok());
  const LedgerHead before = log->Head();
  CHECK(log->Append({}).status().code() == Code::kInvalidInput);
  CHECK(log->Head().seq == before.seq);
  CHECK(log->Head().hash == before.hash);
  Result<SeqRange> next = log->Append(Drafts(1, "y"));
  REQUIRE(next.ok());
  CHECK(next->first == Seq{3});
}

TEMPLATE_TEST_CASE("ReadEncoded returns the stored record or kNotFound", "[contract]",
                   MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  REQUIRE(log->Append(Drafts(5, "r")).ok());
  for (std::uint64_t s = 1; s <= 5; ++s) {
    Result<std::string> bytes = log->ReadEncoded(Seq{s});
    REQUIRE(bytes.ok());
    Result<RecordChainView> view = DecodeChainView(*bytes);
    REQUIRE(view.ok());
    CHECK(view->seq == Seq{s});
  }
  for (std::uint64_t missing :
       {std::uint64_t{0}, std::uint64_t{6}, std::uint64_t{1000}, std::uint64_t{UINT64_MAX}}) {
    INFO("seq " << missing);
    Result<std::string> bytes = log->ReadEncoded(Seq{missing});
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.status().code() == Code::kNotFound);
  }
}

TEMPLATE_TEST_CASE("ScanEncoded visits exactly the keys in [from, to] and stops early",
                   "[contract]", MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  REQUIRE(log->Append(Drafts(4, "s")).ok());
  REQUIRE(log->Append(Drafts(6, "t")).ok());

  CHECK(ScanKeys(*log, Seq{3}, Seq{7}) == Iota(3, 7));
  CHECK(ScanKeys(*log, Seq{0}, Seq{2}) == Iota(1, 2));
  CHECK(ScanKeys(*log, Seq{5}, Seq{UINT64_MAX}) == Iota(5, 10));
  CHECK(ScanKeys(*log, Seq{10}, Seq{10}) == Iota(10, 10));
  CHECK(ScanKeys(*log, Seq{11}, Seq{UINT64_MAX}).empty());
  CHECK(ScanKeys(*log, Seq{7}, Seq{6}).empty());

  // The bytes visited are the bytes ReadEncoded returns.
  Status same = log->ScanEncoded(Seq{1}, Seq{10}, [&](Seq key, std::string_view bytes) {
    Result<std::string> read = log->ReadEncoded(key);
    REQUIRE(read.ok());
    CHECK(*read == bytes);
    return true;
  });
  CHECK(same.ok());

  int visits = 0;
  Status early = log->ScanEncoded(Seq{2}, Seq{UINT64_MAX}, [&](Seq key, std::string_view) {
    ++visits;
    CHECK(key == Seq{static_cast<std::uint64_t>(1 + visits)});
    return visits < 3;
  });
  CHECK(early.ok());
  CHECK(visits == 3);
}

}  // namespace
}  // namespace callledger
