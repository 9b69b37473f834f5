// A ledger written out as a fixture, so that a person can read what a run
// appended (`ledger-replay fixture --records`): every frame (`ari_event`,
// `malformed`) as its bytes on a line of its own, every other record as a
// daemon record line (payload/record_line.h), in seq order. The lines
// `ledger-audit export --all-kinds` writes for the same records, and
// `ledger-replay fixture` reads them back into the same records (times of
// frames aside: a fixture's frames are received at 0).
//
// A malformed record whose bytes hold a line break goes as a record line,
// since it could not stay one line of its own; a truncated one as its kept
// bytes.
#pragma once

#include <string>

#include "core/event_log.h"
#include "core/status.h"

namespace callledger::replay {

// kDataLoss if a stored record does not decode; kInvalidInput if a daemon
// record cannot be a record line (it carries ids).
Result<std::string> RecordsAsFixture(const EventLog& log);

}  // namespace callledger::replay
