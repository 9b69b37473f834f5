// The EventLog contract (core/event_log.h), run against both implementations:
// the in-memory twin and RocksDB in a temporary directory. Anything one of
// them does differently from the other is a bug in that one.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/event_log.h"
#include "record/record_codec.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/stored_records.h"
#include "support/temp_dir.h"

namespace callledger {
namespace {

constexpr char kNode[] = "pbx-contract";

struct MemoryLogFactory {
  std::unique_ptr<EventLog> Open() { return std::make_unique<store::MemoryEventLog>(kNode); }
};

struct RocksLogFactory {
  testing::TempDir dir{"event-log-contract"};
  std::unique_ptr<EventLog> Open() {
    store::RocksOptions options;
    options.node = kNode;
    options.sync_interval_ms = 5;
    auto log = store::RocksEventLog::Open(dir / "ledger", options);
    REQUIRE(log.ok());
    return std::move(log).value();
  }
};

RecordDraft Draft(std::string event_type, std::vector<std::string> channels = {},
                  std::vector<std::string> bridges = {}, std::vector<std::string> calls = {}) {
  RecordDraft d;
  d.kind = RecordKind::kAriEvent;
  d.received_at_us = 1000;
  d.application = "call-center";
  d.asterisk_id = "02:fc:00:00:00:01";
  d.payload = "{\"type\":\"" + event_type + "\"}";
  d.event_type = std::move(event_type);
  d.channel_ids = std::move(channels);
  d.bridge_ids = std::move(bridges);
  d.call_ids = std::move(calls);
  return d;
}

std::vector<RecordDraft> Drafts(int n, const std::string& tag) {
  std::vector<RecordDraft> out;
  for (int i = 0; i < n; ++i) out.push_back(Draft(tag + "-" + std::to_string(i)));
  return out;
}

Record Decode(const EventLog& log, Seq seq) { return testing::DecodeStored(log, seq); }

std::vector<std::uint64_t> Values(const std::vector<Seq>& seqs) {
  std::vector<std::uint64_t> out;
  for (Seq s : seqs) out.push_back(s.value);
  return out;
}

std::vector<std::uint64_t> LookupValues(const EventLog& log, IndexKind kind, std::string_view id) {
  Result<std::vector<Seq>> seqs = log.Lookup(kind, id);
  REQUIRE(seqs.ok());
  return Values(*seqs);
}

std::vector<std::uint64_t> ScanKeys(const EventLog& log, Seq from, Seq to) {
  std::vector<std::uint64_t> keys;
  Status s = log.ScanEncoded(from, to, [&](Seq key, std::string_view bytes) {
    Result<Record> r = DecodeRecord(bytes);
    CHECK(r.ok());
    if (r.ok()) CHECK(r->seq == key);
    keys.push_back(key.value);
    return true;
  });
  REQUIRE(s.ok());
  return keys;
}

std::vector<std::uint64_t> Iota(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

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

// One writer appends batches of known sizes; readers scan concurrently and
// must always see a dense prefix that ends at a batch boundary, with an
// intact chain, and an index that covers at least the head they read first.
TEMPLATE_TEST_CASE("readers see a consistent prefix while one writer appends", "[contract]",
                   MemoryLogFactory, RocksLogFactory) {
  TestType factory;
  auto log = factory.Open();
  constexpr int kBatches = 300;
  std::vector<int> sizes;
  std::set<std::uint64_t> boundaries = {0};
  std::uint64_t total = 0;
  for (int i = 0; i < kBatches; ++i) {
    sizes.push_back(1 + (i * 7) % 20);
    total += sizes.back();
    boundaries.insert(total);
  }

  std::atomic<bool> writer_done{false};
  std::atomic<int> readers_running{2};
  std::atomic<std::int64_t> max_seen{-1};  // longest prefix a reader has seen
  std::string writer_error;
  std::thread writer([&] {
    std::int64_t appended = 0;
    for (int i = 0; i < kBatches; ++i) {
      // Every few batches, wait (on the readers' progress, not on time) until
      // a reader has seen everything appended so far. The writer is paused
      // meanwhile, so that reader saw exactly this state: the readers are
      // sure to see at least kBatches / 10 distinct intermediate states.
      if (i % 10 == 0) {
        while (max_seen.load() < appended && readers_running.load() > 0) {
          std::this_thread::yield();
        }
      }
      std::vector<RecordDraft> batch;
      for (int k = 0; k < sizes[i]; ++k) {
        batch.push_back(Draft("b" + std::to_string(i), {"every", "batch-" + std::to_string(i)}));
      }
      Result<SeqRange> r = log->Append(batch);
      if (!r.ok()) {
        writer_error = r.status().ToString();
        break;
      }
      appended = static_cast<std::int64_t>(r->last.value);
    }
    writer_done = true;
  });

  auto reader = [&](std::string* error, std::set<std::uint64_t>* heads_seen) {
    // Bounded: at most this many passes even if the writer is slow.
    for (int pass = 0; pass < 1000000 && error->empty(); ++pass) {
      const bool last_pass = writer_done.load();
      const LedgerHead head_before = log->Head();
      std::uint64_t expected = 1;
      Sha256Digest prev{};
      Status s = log->ScanEncoded(Seq{1}, Seq{UINT64_MAX}, [&](Seq key, std::string_view bytes) {
        if (key.value != expected) {
          *error = "gap: expected seq " + std::to_string(expected) + ", got " +
                   std::to_string(key.value);
          return false;
        }
        Result<RecordChainView> v = DecodeChainView(bytes);
        if (!v.ok() || v->seq != key || v->computed_hash != v->hash || v->prev_hash != prev) {
          *error = "broken record or chain at seq " + std::to_string(key.value);
          return false;
        }
        prev = v->hash;
        ++expected;
        return true;
      });
      if (!s.ok()) *error = "scan failed: " + s.ToString();
      if (!error->empty()) break;
      const std::uint64_t seen = expected - 1;
      heads_seen->insert(seen);
      std::int64_t longest = max_seen.load();
      while (longest < static_cast<std::int64_t>(seen) &&
             !max_seen.compare_exchange_weak(longest, static_cast<std::int64_t>(seen))) {
      }
      if (seen < head_before.seq.value) {
        *error = "scan saw " + std::to_string(seen) + " records, head was already " +
                 std::to_string(head_before.seq.value);
      } else if (boundaries.count(seen) == 0) {
        *error = "scan ended inside a batch, at seq " + std::to_string(seen);
      } else if (seen == head_before.seq.value && prev != head_before.hash) {
        *error = "head hash differs from the hash of the head record";
      }
      const LedgerHead head_index = log->Head();
      Result<std::vector<Seq>> every = log->Lookup(IndexKind::kChannel, "every");
      if (!every.ok()) {
        *error = "lookup failed: " + every.status().ToString();
      } else {
        if (every->size() < head_index.seq.value) {
          *error = "index lists " + std::to_string(every->size()) + " records, head was " +
                   std::to_string(head_index.seq.value);
        }
        for (std::size_t i = 0; i < every->size(); ++i) {
          if ((*every)[i].value != i + 1) {
            *error = "index for 'every' is not 1..n at position " + std::to_string(i);
            break;
          }
        }
      }
      if (last_pass) break;
    }
    --readers_running;
  };
  std::string error1, error2;
  std::set<std::uint64_t> seen1, seen2;
  std::thread reader1(reader, &error1, &seen1);
  std::thread reader2(reader, &error2, &seen2);
  writer.join();
  reader1.join();
  reader2.join();

  CHECK(writer_error.empty());
  CHECK(error1.empty());
  CHECK(error2.empty());
  // The readers saw the log grow: many distinct prefixes, not just the end.
  std::set<std::uint64_t> seen = seen1;
  seen.insert(seen2.begin(), seen2.end());
  CHECK(seen.size() >= kBatches / 10);
  CHECK(seen.count(total) == 1);
  CHECK(log->Head().seq == Seq{total});
  CHECK(LookupValues(*log, IndexKind::kChannel, "every") == Iota(1, total));
  CHECK(LookupValues(*log, IndexKind::kChannel, "batch-1") == Iota(2, 9));
}

}  // namespace
}  // namespace callledger
