#include <catch2/catch.hpp>

#include "core/record.h"
#include "core/status.h"

namespace callledger {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return InvalidInput("odd: " + std::to_string(v));
  return v / 2;
}

TEST_CASE("Result carries a value or a non-OK status") {
  auto ok = Half(8);
  REQUIRE(ok.ok());
  CHECK(*ok == 4);
  CHECK(ok.status().ok());

  auto bad = Half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidInput);
  CHECK(bad.status().ToString() == "invalid input: odd: 3");
}

TEST_CASE("record kind names round-trip and unknown names are rejected") {
  for (RecordKind k : {RecordKind::kAriEvent, RecordKind::kGap, RecordKind::kReconcile,
                       RecordKind::kMalformed, RecordKind::kNote}) {
    auto back = RecordKindFromName(RecordKindName(k));
    REQUIRE(back.has_value());
    CHECK(*back == k);
  }
  CHECK(RecordKindName(RecordKind::kAriEvent) == "ari_event");
  CHECK_FALSE(RecordKindFromName("ari-event").has_value());
}

TEST_CASE("SeqRange size counts inclusive ranges and empty ones") {
  CHECK(SeqRange{Seq{1}, Seq{1}}.size() == 1);
  CHECK(SeqRange{Seq{5}, Seq{14}}.size() == 10);
  CHECK(SeqRange{Seq{5}, Seq{4}}.size() == 0);
}

}  // namespace
}  // namespace callledger
