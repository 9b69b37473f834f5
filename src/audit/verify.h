// Verification of a whole ledger: the chain, seq density, and that every
// record decodes. Read-only; safe to run while the daemon appends (it checks
// the prefix that existed when it started).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/event_log.h"

namespace callledger::audit {

struct VerifyReport {
  std::uint64_t records = 0;     // records checked
  LedgerHead head;               // the head verified against
  std::optional<Seq> first_bad;  // set when the ledger is not intact
  std::string problem;           // what is wrong with first_bad
  double seconds = 0;

  bool ok() const { return !first_bad.has_value(); }
  // "ok: 1719 records, seq 1..1719, head 3f2a…" or "FAILED at seq 42: ...".
  std::string Summary() const;
};

// Called every `progress_every` records with the seq reached.
using VerifyProgress = std::function<void(Seq reached, Seq head)>;

// Returns a report (a damaged ledger is a finding, not an error); a Status
// only when the log cannot be read at all.
Result<VerifyReport> VerifyLedger(const EventLog& log, const VerifyProgress& progress = {},
                                  std::uint64_t progress_every = 100000);

}  // namespace callledger::audit
