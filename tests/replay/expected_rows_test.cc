// `ledger-replay fixture --expect FILE --update`: the golden file is written
// as RowsToJson writes rows, and the outcome says what changed.
#include "replay/expected_rows.h"

#include <catch2/catch.hpp>

#include "projection/row_format.h"
#include "replay/fixture.h"
#include "support/fixtures.h"
#include "support/temp_dir.h"

namespace callledger::replay {
namespace {

std::vector<CallRow> Rows(const char* stream) {
  auto r = RunFixture(testing::CaptureDir() / stream, {});
  REQUIRE(r.ok());
  return r->rows;
}

TEST_CASE(
    "fixture --update: new golden files written, changed ones rewritten, equal ones left alone") {
  testing::TempDir tmp("expected-rows");
  const auto file = tmp / "h.rows.json";
  const auto rows = Rows("h-inbound-utf8-callername.observer.jsonl");
  REQUIRE(rows.size() == 3);

  auto created = UpdateExpected(rows, file);
  REQUIRE(created.ok());
  CHECK(created->changed);
  CHECK(created->created);
  CHECK(testing::ReadFile(file) == projection::RowsToJson(rows));

  auto same = UpdateExpected(rows, file);
  REQUIRE(same.ok());
  CHECK_FALSE(same->changed);
  CHECK(same->diff.empty());

  // One row's answer moved, one row gone: the diff names both, the file
  // then holds the new rows.
  std::vector<CallRow> changed = rows;
  changed[0].answer_us += 1000;
  changed.pop_back();
  auto rewritten = UpdateExpected(changed, file);
  REQUIRE(rewritten.ok());
  CHECK(rewritten->changed);
  CHECK_FALSE(rewritten->created);
  CHECK_THAT(rewritten->diff, Catch::Contains("answer_time"));
  CHECK_THAT(rewritten->diff, Catch::Contains(rows.back().call_id));
  CHECK(testing::ReadFile(file) == projection::RowsToJson(changed));

  testing::WriteFile(file, "not rows");
  auto replaced = UpdateExpected(rows, file);
  REQUIRE(replaced.ok());
  CHECK(replaced->changed);
  CHECK_THAT(replaced->diff, Catch::Contains("not rows JSON"));
  CHECK(testing::ReadFile(file) == projection::RowsToJson(rows));
}

}  // namespace
}  // namespace callledger::replay
