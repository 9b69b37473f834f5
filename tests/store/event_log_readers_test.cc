// The EventLog contract under concurrency (core/event_log.h), run against
// both implementations (store/event_log_checks.h): readers scanning while
// one writer appends always see a dense prefix that ends at a batch
// boundary, with an intact chain and an index that covers it.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/event_log.h"
#include "event_log_checks.h"
#include "record/record_codec.h"

namespace callledger {
namespace {

using testing::Draft;
using testing::Iota;
using testing::LookupValues;
using testing::MemoryLogFactory;
using testing::RocksLogFactory;

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
