#include "e2e_helpers.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <regex>
#include <sstream>

#include "audit/render.h"
#include "support/fixtures.h"
#include "support/wait.h"

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
  WaitUntil(
      [&] {
        auto r = store.Checkpoint(node);
        if (r.ok()) cp = r->value;
        return cp >= at_least;
      },
      std::chrono::seconds(15), "the call log's checkpoint to reach " + std::to_string(at_least));
  return cp;
}

std::uint64_t FramesSentToLastClient(const std::filesystem::path& sim_err, std::size_t frames) {
  const std::string log = ReadFile(sim_err);
  const std::regex subscribed("subscribed to app '[^']*'; next frame (none|[0-9]+)");
  std::string next;
  for (std::sregex_iterator it(log.begin(), log.end(), subscribed), end; it != end; ++it)
    next = (*it)[1];
  REQUIRE(!next.empty());
  if (next == "none") return 0;
  return frames - std::stoull(next) + 1;
}

}  // namespace callledger::testing
