#include "disk_full_checks.h"

#include <catch2/catch.hpp>

#include "audit/verify.h"
#include "support/stored_records.h"

namespace callledger::testing {

std::vector<RecordDraft> NumberedDrafts(int first, int n, std::size_t padding) {
  std::vector<RecordDraft> out;
  for (int i = first; i < first + n; ++i) {
    RecordDraft d;
    d.kind = RecordKind::kAriEvent;
    d.event_type = "Numbered";
    d.channel_ids = {"chan-" + std::to_string(i % 7)};
    d.payload = "{\"type\":\"Numbered\",\"n\":" + std::to_string(i) + ",\"pad\":\"" +
                std::string(padding, 'x') + "\"}";
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<int> VerifiedNumbers(const EventLog& log) {
  Result<audit::VerifyReport> report = audit::VerifyLedger(log);
  REQUIRE(report.ok());
  INFO(report->Summary());
  REQUIRE(report->ok());
  REQUIRE(report->records == log.Head().seq.value);
  std::vector<int> numbers;
  for (std::uint64_t seq = 1; seq <= log.Head().seq.value; ++seq) {
    const std::string payload = DecodeStored(log, Seq{seq}).payload;
    const auto at = payload.find("\"n\":");
    REQUIRE(at != std::string::npos);
    numbers.push_back(std::stoi(payload.substr(at + 4)));
  }
  return numbers;
}

std::vector<int> Range(int first, int last) {
  std::vector<int> out;
  for (int i = first; i <= last; ++i) out.push_back(i);
  return out;
}

}  // namespace callledger::testing
