#include "sim_frames.h"

#include <utility>

#include "support/fixtures.h"

namespace callledger::testing {

std::vector<std::string> Frames(const std::string& capture) {
  std::vector<std::string> out;
  for (auto& line : ReadLines(CaptureDir() / capture)) {
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

ari::LiveState StateAfter(const std::vector<std::string>& frames, std::size_t count) {
  ari::LiveState state;
  for (std::size_t i = 0; i < count; ++i) state.Apply(frames[i]);
  return state;
}

}  // namespace callledger::testing
