// Reading one stored record back in tests.
#pragma once

#include "core/event_log.h"
#include "core/record.h"

namespace callledger::testing {

// The record `seq` of `log`, decoded; fails the test if it is missing or
// does not decode.
Record DecodeStored(const EventLog& log, Seq seq);

}  // namespace callledger::testing
