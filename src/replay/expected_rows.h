// `ledger-replay fixture FILE --expect ROWS.json --update`: writes the rows a
// fixture run produced into its golden file, after a rule change, and says
// what changed, for review before the commit (fixtures/README.md).
//
// The file is written as RowsToJson (projection/row_format.h) writes rows,
// so `--expect` and the golden tests find it equal afterwards, byte for byte.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/call_row.h"
#include "core/status.h"

namespace callledger::replay {

struct UpdateOutcome {
  bool changed = false;  // the file was written (it did not hold these bytes)
  bool created = false;  // it did not exist before
  // How the old file's rows differ from the new ones (DiffRowsJson's text);
  // empty when the file is new or held the same rows written another way.
  std::string diff;
};

// kUnavailable when reading or writing the file fails. An old file that is
// not rows JSON is replaced; `diff` says so.
Result<UpdateOutcome> UpdateExpected(const std::vector<CallRow>& rows,
                                     const std::filesystem::path& file);

}  // namespace callledger::replay
