// Whole-ledger statistics for `ledger-audit stats`.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/event_log.h"

namespace callledger::audit {

struct LedgerStats {
  LedgerInfo info;
  LedgerHead head;
  std::uint64_t records = 0;
  Seq first_seq;
  Seq last_seq;
  std::map<std::string, std::uint64_t> by_kind;  // "ari_event" -> n (sorted: deterministic output)
  std::map<std::string, std::uint64_t> by_type;  // ARI type -> n (ari_event records)
  std::int64_t first_event_us = 0;               // earliest ARI event time (0: none)
  std::int64_t last_event_us = 0;                // latest ARI event time
  std::uint64_t payload_bytes = 0;
  std::uint64_t size_on_disk = 0;
};

Result<LedgerStats> ComputeStats(const EventLog& log);

}  // namespace callledger::audit
