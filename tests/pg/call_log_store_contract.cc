#include "call_log_store_contract.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "support/call_rows.h"
#include "support/store_checks.h"

namespace callledger::testing {

void ContractUpsertUpdateDelete(CallLogStore& store, const std::string& node) {
  RequireCheckpoint(store, node, 0);
  RequireRows(store, node, {});

  const CallRow a = FullRow(node, "call-a", 1);
  const CallRow b = SparseRow(node, "call-b");
  std::vector<RowChange> batch = {Upsert(a), Upsert(b)};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{10}, batch).ok());
  RequireCheckpoint(store, node, 10);
  RequireRows(store, node, {a, b});

  // Update b (every column changes), delete a, insert c.
  CallRow b2 = FullRow(node, "call-b", 2);
  const CallRow c = FullRow(node, "call-c", 3);
  batch = {Upsert(b2), Delete(node, "call-a"), Upsert(c)};
  REQUIRE(store.ApplyBatch(node, Seq{10}, Seq{25}, batch).ok());
  RequireCheckpoint(store, node, 25);
  RequireRows(store, node, {b2, c});

  // Back to sparse: columns that were set become NULL again.
  batch = {Upsert(SparseRow(node, "call-b"))};
  REQUIRE(store.ApplyBatch(node, Seq{25}, Seq{26}, batch).ok());
  RequireRows(store, node, {SparseRow(node, "call-b"), c});

  // Deleting what is not there is fine; an empty batch still moves the checkpoint.
  batch = {Delete(node, "never-seen")};
  REQUIRE(store.ApplyBatch(node, Seq{26}, Seq{27}, batch).ok());
  REQUIRE(store.ApplyBatch(node, Seq{27}, Seq{28}, {}).ok());
  RequireCheckpoint(store, node, 28);
  RequireRows(store, node, {SparseRow(node, "call-b"), c});
}

void ContractCoalescesRepeatedKeys(CallLogStore& store, const std::string& node) {
  const CallRow x1 = SparseRow(node, "x");
  CallRow x2 = x1;
  x2.status = CallStatus::kTalking;
  x2.answered = true;
  x2.answer_us = x1.start_us + 1;
  const CallRow x3 = FullRow(node, "x", 7);
  const CallRow y = FullRow(node, "y", 8);
  // x: upsert, upsert, upsert (last wins); y: upsert then delete then upsert;
  // z: upsert then delete (gone).
  std::vector<RowChange> batch = {Upsert(x1), Upsert(y),         Upsert(FullRow(node, "z", 9)),
                                  Upsert(x2), Delete(node, "y"), Delete(node, "z"),
                                  Upsert(x3), Upsert(y)};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{8}, batch).ok());
  RequireRows(store, node, {x3, y});

  // Delete then re-insert in a later batch, and insert then delete in one.
  batch = {Delete(node, "x"), Upsert(FullRow(node, "w", 10)), Delete(node, "w")};
  REQUIRE(store.ApplyBatch(node, Seq{8}, Seq{9}, batch).ok());
  RequireRows(store, node, {y});
}

void ContractStaleExpectedWritesNothing(CallLogStore& store, const std::string& node) {
  const CallRow a = FullRow(node, "a", 1);
  std::vector<RowChange> batch = {Upsert(a)};
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{5}, batch).ok());

  const std::vector<RowChange> evil = {Upsert(FullRow(node, "a", 2)), Upsert(FullRow(node, "b", 3)),
                                       Delete(node, "a")};
  for (std::uint64_t stale : {0ULL, 4ULL, 6ULL, 100ULL}) {
    CAPTURE(stale);
    const Status s = store.ApplyBatch(node, Seq{stale}, Seq{200}, evil);
    REQUIRE(s.code() == Code::kAborted);
    RequireCheckpoint(store, node, 5);
    RequireRows(store, node, {a});
  }
  // The right expected still works afterwards.
  REQUIRE(store.ApplyBatch(node, Seq{5}, Seq{6}, evil).ok());
  RequireRows(store, node, {FullRow(node, "b", 3)});
}

void ContractNodesAreSeparate(CallLogStore& store) {
  const std::string n1 = "pbx-1", n2 = "pbx-2";
  const CallRow a1 = FullRow(n1, "same-id", 1);
  const CallRow a2 = FullRow(n2, "same-id", 2);
  std::vector<RowChange> b1 = {Upsert(a1)}, b2 = {Upsert(a2)};
  REQUIRE(store.ApplyBatch(n1, Seq{0}, Seq{3}, b1).ok());
  REQUIRE(store.ApplyBatch(n2, Seq{0}, Seq{70}, b2).ok());
  RequireCheckpoint(store, n1, 3);
  RequireCheckpoint(store, n2, 70);
  RequireRows(store, n1, {a1});
  RequireRows(store, n2, {a2});

  // One node's checkpoint does not satisfy the other's compare-and-set.
  REQUIRE(store.ApplyBatch(n1, Seq{70}, Seq{71}, {}).code() == Code::kAborted);
  // Deleting on one node leaves the other alone.
  std::vector<RowChange> del = {Delete(n1, "same-id")};
  REQUIRE(store.ApplyBatch(n1, Seq{3}, Seq{4}, del).ok());
  RequireRows(store, n1, {});
  RequireRows(store, n2, {a2});
  // Rebuilding one node leaves the other alone.
  const std::vector<CallRow> fresh = {FullRow(n1, "r1", 5), FullRow(n1, "r2", 6)};
  REQUIRE(store.ReplaceAll(n1, fresh, Seq{40}).ok());
  RequireRows(store, n1, fresh);
  RequireRows(store, n2, {a2});
  RequireCheckpoint(store, n1, 40);
  RequireCheckpoint(store, n2, 70);
}

void ContractRowsAtCheckpoint(CallLogStore& store, const std::string& node) {
  auto empty = store.RowsAtCheckpoint(node);
  REQUIRE(empty.ok());
  CHECK(empty->checkpoint == Seq{0});
  CHECK(empty->rows.empty());
  const std::vector<RowChange> batch = {Upsert(FullRow(node, "b", 2)),
                                        Upsert(FullRow(node, "a", 1)),
                                        Upsert(FullRow("other", "o", 3))};
  REQUIRE(store
              .ApplyBatch(node, Seq{0}, Seq{7},
                          std::vector<RowChange>(batch.begin(), batch.begin() + 2))
              .ok());
  REQUIRE(store
              .ApplyBatch("other", Seq{0}, Seq{9},
                          std::vector<RowChange>(batch.begin() + 2, batch.end()))
              .ok());
  auto now = store.RowsAtCheckpoint(node);
  REQUIRE(now.ok());
  CHECK(now->checkpoint == Seq{7});
  CHECK(now->rows == std::vector<CallRow>{FullRow(node, "a", 1), FullRow(node, "b", 2)});
}

void ContractReplaceAll(CallLogStore& store, const std::string& node) {
  // Rebuild of a node that never had rows.
  std::vector<CallRow> first;
  for (int i = 0; i < 50; ++i) first.push_back(FullRow(node, "old-" + std::to_string(i), i));
  REQUIRE(store.ReplaceAll(node, first, Seq{50}).ok());
  RequireRows(store, node, first);
  RequireCheckpoint(store, node, 50);

  // The live path continues from the rebuild's checkpoint.
  const CallRow live = FullRow(node, "live", 99);
  std::vector<RowChange> batch = {Upsert(live), Delete(node, "old-0")};
  REQUIRE(store.ApplyBatch(node, Seq{50}, Seq{51}, batch).ok());

  // Replace everything: old rows vanish, even ones the new set lacks.
  std::vector<CallRow> second;
  for (int i = 0; i < 20; ++i) second.push_back(FullRow(node, "new-" + std::to_string(i), 100 + i));
  REQUIRE(store.ReplaceAll(node, second, Seq{30}).ok());  // a rebuild may move it back
  RequireRows(store, node, second);
  RequireCheckpoint(store, node, 30);
  REQUIRE(store.ApplyBatch(node, Seq{51}, Seq{52}, {}).code() == Code::kAborted);
  REQUIRE(store.ApplyBatch(node, Seq{30}, Seq{31}, batch).ok());
  auto with_live = second;
  with_live.push_back(live);
  RequireRows(store, node, with_live);

  // Duplicate call_ids in a rebuild: the last one wins.
  const std::vector<CallRow> dup = {FullRow(node, "d", 1), FullRow(node, "d", 2)};
  REQUIRE(store.ReplaceAll(node, dup, Seq{2}).ok());
  RequireRows(store, node, {FullRow(node, "d", 2)});

  // To nothing, checkpoint 0: the node starts over.
  REQUIRE(store.ReplaceAll(node, {}, Seq{0}).ok());
  RequireRows(store, node, {});
  RequireCheckpoint(store, node, 0);
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
  RequireRows(store, node, {live});
}
namespace {

// Values that tend to break a store: exact microseconds, times before 1970
// and at the ends of the range, NULLs, UTF-8, quotes, backslashes, COPY's own
// escapes (tab, newline, \N), and SQL that must stay text.
std::vector<CallRow> TrickyRows(const std::string& node) {
  std::vector<CallRow> rows;
  const std::vector<std::string> texts = {
      "Oʻtkir Xoʻjayev",
      "Ўткир Хўжаев",
      "'; DROP TABLE call_logs; --",
      "Robert'); DROP TABLE projector_checkpoint;--",
      "back\\slash \\\\ double \\N \\t",
      "tab\there\nnew line\r\nCRLF",
      "\"double\" and 'single' quotes ''",
      "$1 $$dollar$$ %s %d {}",
      "emoji 📞☎️ and combining é",
      "\\N",
      " ",
  };
  const std::vector<std::int64_t> times = {
      1,                           // 1970-01-01 00:00:00.000001
      -1,                          // 1969-12-31 23:59:59.999999
      -86'400'000'000LL * 365,     // 1969-01-01
      1795683358161123LL,          // 2026-11-26 09:15:58.161123
      951782400000000LL + 999999,  // 2000-02-29 00:00:00.999999 (leap day)
      4102444799999999LL,          // 2099-12-31 23:59:59.999999
      253402300799999999LL,        // 9999-12-31 23:59:59.999999
      -62135596800000000LL,        // 0001-01-01 00:00:00
  };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CallRow r = FullRow(node, "t" + std::to_string(i) + " " + texts[i], static_cast<int>(i));
    r.caller_name = texts[i];
    r.from_number = texts[(i + 1) % texts.size()];
    r.to_number = texts[(i + 2) % texts.size()];
    r.recording_path = texts[(i + 3) % texts.size()];
    r.hangup_cause_txt = texts[(i + 4) % texts.size()];
    r.channel_id = texts[(i + 5) % texts.size()];
    r.start_us = times[i % times.size()];
    r.answer_us = times[(i + 1) % times.size()];
    r.end_us = times[(i + 2) % times.size()];
    r.duration_s = -5;
    r.ring_s = 2147483647;
    r.talk_s = 0;
    r.hangup_cause = -1;
    r.first_seq = Seq{9223372036854775807ULL};  // bigint max
    r.last_seq = Seq{0};
    r.projector_version = 2147483647;
    rows.push_back(r);
  }
  rows.push_back(SparseRow(node, "sparse"));
  rows.push_back(SparseRow(node, "'quoted id'"));
  CallRow talking = SparseRow(node, "talking");
  talking.status = CallStatus::kTalking;
  talking.answered = true;
  rows.push_back(talking);
  return rows;
}

}  // namespace

void ContractValuesRoundTrip(CallLogStore& store, const std::string& node) {
  const std::vector<CallRow> tricky = TrickyRows(node);
  // Small batch (multi-row INSERT in PostgreSQL).
  std::vector<RowChange> batch;
  for (const auto& r : tricky) batch.push_back(Upsert(r));
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
  RequireRows(store, node, tricky);

  // Large batch (COPY + merge in PostgreSQL): the same rows among many.
  std::vector<CallRow> many = tricky;
  for (int i = 0; i < 600; ++i) many.push_back(FullRow(node, "bulk-" + std::to_string(i), i));
  batch.clear();
  for (const auto& r : many) batch.push_back(Upsert(r));
  REQUIRE(store.ApplyBatch(node, Seq{1}, Seq{2}, batch).ok());
  RequireRows(store, node, many);

  // Rebuild (COPY into a new partition).
  REQUIRE(store.ReplaceAll(node, tricky, Seq{3}).ok());
  RequireRows(store, node, tricky);
}

void ContractLargeBatches(CallLogStore& store, const std::string& node) {
  // Over any staging threshold, with repeated keys and deletes mixed in.
  std::vector<CallRow> expected;
  std::vector<RowChange> batch;
  for (int i = 0; i < 1500; ++i) batch.push_back(Upsert(SparseRow(node, "k" + std::to_string(i))));
  for (int i = 0; i < 1500; i += 3) batch.push_back(Delete(node, "k" + std::to_string(i)));
  for (int i = 0; i < 1500; ++i) {
    if (i % 3 == 0) continue;
    CallRow r = FullRow(node, "k" + std::to_string(i), i);
    if (i % 3 == 1)
      batch.push_back(Upsert(r));
    else
      r = SparseRow(node, "k" + std::to_string(i));
    expected.push_back(r);
  }
  REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1500}, batch).ok());
  RequireRows(store, node, expected);
  RequireCheckpoint(store, node, 1500);

  // Update them all again in one go, and delete a few hundred.
  batch.clear();
  std::vector<CallRow> expected2;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (i % 4 == 0) {
      batch.push_back(Delete(node, expected[i].call_id));
      continue;
    }
    CallRow r = FullRow(node, expected[i].call_id, static_cast<int>(i) + 5000);
    batch.push_back(Upsert(r));
    expected2.push_back(r);
  }
  REQUIRE(store.ApplyBatch(node, Seq{1500}, Seq{3000}, batch).ok());
  RequireRows(store, node, expected2);
}

void ContractAwkwardNodeNames(CallLogStore& store) {
  for (const std::string node :
       {"node with spaces", "it's \"quoted\"", "'); DROP TABLE call_logs; --", "Ўзбекистон-1",
        "back\\slash", "UPPER lower"}) {
    CAPTURE(node);
    const CallRow a = FullRow(node, "a", 1);
    std::vector<RowChange> batch = {Upsert(a)};
    REQUIRE(store.ApplyBatch(node, Seq{0}, Seq{1}, batch).ok());
    RequireRows(store, node, {a});
    RequireCheckpoint(store, node, 1);
    const std::vector<CallRow> rebuilt = {FullRow(node, "b", 2)};
    REQUIRE(store.ReplaceAll(node, rebuilt, Seq{9}).ok());
    RequireRows(store, node, rebuilt);
    RequireCheckpoint(store, node, 9);
  }
}

}  // namespace callledger::testing
