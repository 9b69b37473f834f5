// A ledger that hands every call to another one: tests derive from it and
// override only what they inject a failure into (Append, Sync).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_log.h"

namespace callledger::testing {

class ForwardingLog : public EventLog {
 public:
  explicit ForwardingLog(EventLog& inner) : inner_(inner) {}
  LedgerInfo Info() const override { return inner_.Info(); }
  LedgerHead Head() const override { return inner_.Head(); }
  Result<SeqRange> Append(std::span<const RecordDraft> d) override { return inner_.Append(d); }
  Status Sync() override { return inner_.Sync(); }
  Result<std::string> ReadEncoded(Seq s) const override { return inner_.ReadEncoded(s); }
  Status ScanEncoded(Seq f, Seq t, const EncodedVisitor& v) const override {
    return inner_.ScanEncoded(f, t, v);
  }
  Result<std::vector<Seq>> Lookup(IndexKind k, std::string_view id) const override {
    return inner_.Lookup(k, id);
  }
  std::uint64_t SizeOnDisk() const override { return 0; }

 private:
  EventLog& inner_;
};

}  // namespace callledger::testing
