#include "ari/restart_cel.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include "ari/cel_line_facts.h"

namespace callledger::ari {
namespace {

// A line's facts with the time it is judged by.
struct Judged {
  CelLineFacts facts;
  std::int64_t time_us = std::numeric_limits<std::int64_t>::min();
};

std::vector<Judged> Judge(const std::vector<std::string_view>& lines) {
  std::vector<Judged> out;
  out.reserve(lines.size());
  std::int64_t previous = std::numeric_limits<std::int64_t>::min();
  for (const std::string_view line : lines) {
    Judged j{ReadCelLineFacts(line), previous};
    if (j.facts.time_us) j.time_us = previous = *j.facts.time_us;
    out.push_back(std::move(j));
  }
  return out;
}

bool Named(const std::set<std::string, std::less<>>& names, const std::string& id) {
  return !id.empty() && names.contains(id);
}

}  // namespace

std::vector<bool> KeptCelLines(const RestartPlan& plan,
                               const std::vector<std::string_view>& lines) {
  std::vector<bool> kept(lines.size(), true);
  if (plan.empty()) return kept;
  const std::vector<Judged> judged = Judge(lines);
  for (const PlannedRestart& restart : plan.restarts()) {
    // The old process's channels as its own log knows them.
    std::set<std::string, std::less<>> logged;
    for (const Judged& j : judged) {
      if (j.time_us > restart.started_us) continue;
      if (!j.facts.uniqueid.empty()) logged.insert(j.facts.uniqueid);
      if (!j.facts.linkedid.empty()) logged.insert(j.facts.linkedid);
    }
    const auto old = [&](const std::string& id) {
      return Named(restart.old_names, id) || Named(logged, id);
    };
    for (std::size_t i = 0; i < judged.size(); ++i) {
      const Judged& j = judged[i];
      if (j.time_us <= restart.died_us) continue;
      const bool down = j.time_us <= restart.started_us;
      if (down || old(j.facts.uniqueid) || old(j.facts.linkedid) ||
          Named(restart.old_names, j.facts.bridge_id)) {
        kept[i] = false;
      }
    }
  }
  return kept;
}

}  // namespace callledger::ari
