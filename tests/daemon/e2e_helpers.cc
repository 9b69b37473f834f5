#include "e2e_helpers.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <thread>

#include "audit/render.h"

namespace callledger::testing {

std::unique_ptr<store::RocksEventLog> OpenLedger(const TempDir& dir) {
  store::RocksOptions ro;
  ro.mode = store::OpenMode::kReadOnly;
  auto ledger = store::RocksEventLog::Open(dir / "ledger", ro);
  REQUIRE(ledger.ok());
  return std::move(ledger.value());
}

std::string Exported(const EventLog& ledger) {
  std::ostringstream out;
  REQUIRE(audit::ExportPayloads(ledger, Seq{1}, Seq{UINT64_MAX}, out).ok());
  return out.str();
}

std::uint64_t WaitForCheckpoint(CallLogStore& store, const std::string& node,
                                std::uint64_t at_least) {
  std::uint64_t cp = 0;
  for (int i = 0; i < 750 && cp < at_least; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto r = store.Checkpoint(node);
    if (r.ok()) cp = r->value;
  }
  return cp;
}

}  // namespace callledger::testing
