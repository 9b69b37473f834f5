#include "replay/expected_rows.h"

#include <fstream>
#include <sstream>

#include "projection/row_format.h"

namespace callledger::replay {

Result<UpdateOutcome> UpdateExpected(const std::vector<CallRow>& rows,
                                     const std::filesystem::path& file) {
  UpdateOutcome outcome;
  const std::string actual = projection::RowsToJson(rows);
  std::error_code ec;
  outcome.created = !std::filesystem::exists(file, ec);
  if (!outcome.created) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Unavailable("cannot read " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    if (text.str() == actual) return outcome;
    auto diff = projection::DiffRowsJson(rows, text.str());
    outcome.diff = diff.ok() ? std::move(diff.value())
                             : "the old file was not rows JSON: " + diff.status().message() + "\n";
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << actual;
  out.close();
  if (!out) return Unavailable("cannot write " + file.string());
  outcome.changed = true;
  return outcome;
}

}  // namespace callledger::replay
