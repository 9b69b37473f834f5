#include "core/stasis_app_data.h"

namespace callledger::fold {

StasisAppData SplitAppData(const std::string& data) {
  StasisAppData out;
  std::size_t start = 0;
  std::size_t comma = data.find(',');
  out.app = data.substr(0, comma);
  while (comma != std::string::npos) {
    start = comma + 1;
    comma = data.find(',', start);
    out.args.push_back(
        data.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
  }
  return out;
}

}  // namespace callledger::fold
