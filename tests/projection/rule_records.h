// Helpers for the tests of the column rules (core/call_rules.h): a record's
// worth of rule applications, and a call opened by the rules themselves.
// Header-only, for the rule tests in tests/projection.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/call_rules.h"

namespace callledger::testing {

// 2026-11-26T09:16:30Z: the start of every call these tests open.
inline constexpr std::int64_t kStart = 1795683390000000;
inline constexpr std::int64_t kSecond = 1000000;

// One record's worth of rule applications: the changes they emit.
class Record {
 public:
  explicit Record(std::uint64_t seq) : seq_(seq) { edits.Clear(); }
  std::vector<RowChange> Changes() {
    std::vector<RowChange> out;
    edits.Emit(Seq{seq_}, "pbx", &out);
    return out;
  }
  fold::RowEdits edits;

 private:
  std::uint64_t seq_;
};

// Opens `call` at kStart as channel 1795683390.7, caller "Ali", without a
// call id (args[0] empty), in record `seq`.
inline void Open(fold::Call& call, const std::string& direction, std::uint64_t seq = 1) {
  const std::string node = "pbx", id = "1795683390.7", mixmonitor;
  ChannelSnapshot ch;
  ch.id = id;
  ch.caller_name = "Ali";
  const std::vector<std::string> args = {"", direction, "998901234567", "712001122"};
  Record r(seq);
  fold::OpenCall(r.edits, call, fold::CallOpening{node, id, false, ch, args, kStart, mixmonitor});
  REQUIRE(r.Changes().size() == 1);
}

}  // namespace callledger::testing
