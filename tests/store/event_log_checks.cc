#include "event_log_checks.h"

#include <catch2/catch.hpp>
#include <utility>

#include "record/record_codec.h"
#include "store/memory_event_log.h"
#include "store/rocks_event_log.h"
#include "support/stored_records.h"

namespace callledger::testing {

std::unique_ptr<EventLog> MemoryLogFactory::Open() {
  return std::make_unique<store::MemoryEventLog>(kNode);
}

std::unique_ptr<EventLog> RocksLogFactory::Open() {
  store::RocksOptions options;
  options.node = kNode;
  options.sync_interval_ms = 5;
  auto log = store::RocksEventLog::Open(dir / "ledger", options);
  REQUIRE(log.ok());
  return std::move(log).value();
}

RecordDraft Draft(std::string event_type, std::vector<std::string> channels,
                  std::vector<std::string> bridges, std::vector<std::string> calls) {
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

Record Decode(const EventLog& log, Seq seq) { return DecodeStored(log, seq); }

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

}  // namespace callledger::testing
