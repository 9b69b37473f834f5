// The names of the row's enumerated columns (core/call_row.h): what the
// formats write and PostgreSQL stores, read back to the same value.
#include <catch2/catch.hpp>

#include "core/call_row.h"

namespace callledger {
namespace {

TEST_CASE("evidence names: ari and cel, read back; nothing else is a name") {
  CHECK(EvidenceName(Evidence::kAri) == "ari");
  CHECK(EvidenceName(Evidence::kCel) == "cel");
  for (Evidence e : {Evidence::kAri, Evidence::kCel}) {
    CHECK(EvidenceFromName(EvidenceName(e)) == e);
  }
  for (std::string_view bad : {"", "ARI", "cel ", "hangup"}) {
    INFO(bad);
    CHECK_FALSE(EvidenceFromName(bad));
  }
}

TEST_CASE("end_reason names: NULL while live, three reasons, two of them estimates") {
  CHECK(EndReasonName(EndReason::kNone).empty());
  CHECK(EndReasonName(EndReason::kHangup) == "hangup");
  CHECK(EndReasonName(EndReason::kGap) == "gap");
  CHECK(EndReasonName(EndReason::kPbxRestart) == "pbx_restart");
  for (EndReason r :
       {EndReason::kNone, EndReason::kHangup, EndReason::kGap, EndReason::kPbxRestart}) {
    CHECK(EndReasonFromName(EndReasonName(r)) == r);
  }
  for (std::string_view bad : {"Gap", "restart", "ari", "null"}) {
    INFO(bad);
    CHECK_FALSE(EndReasonFromName(bad));
  }
  CHECK_FALSE(IsEstimatedEnd(EndReason::kNone));
  CHECK_FALSE(IsEstimatedEnd(EndReason::kHangup));
  CHECK(IsEstimatedEnd(EndReason::kGap));
  CHECK(IsEstimatedEnd(EndReason::kPbxRestart));
}

TEST_CASE("a new row is ari and live") {
  const CallRow row;
  CHECK(row.evidence == Evidence::kAri);
  CHECK(row.end_reason == EndReason::kNone);
  CHECK_FALSE(row.end_estimated);
}

}  // namespace
}  // namespace callledger
