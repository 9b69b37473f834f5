#include "core/call_stats.h"

#include <array>
#include <utility>

namespace callledger {
namespace {

constexpr std::array<std::pair<StatsGroup, std::string_view>, 4> kGroups{{
    {StatsGroup::kAgent, "agent"},
    {StatsGroup::kDirection, "direction"},
    {StatsGroup::kToNumber, "to_number"},
    {StatsGroup::kNode, "node"},
}};
constexpr std::array<std::pair<StatsInterval, std::string_view>, 2> kIntervals{{
    {StatsInterval::kHour, "hour"},
    {StatsInterval::kDay, "day"},
}};

template <typename Table, typename Value>
std::string_view NameIn(const Table& table, Value v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return "";
}

template <typename Value, typename Table>
std::optional<Value> FromNameIn(const Table& table, std::string_view name) {
  for (const auto& [value, n] : table) {
    if (n == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view AgentStateName(AgentState s) {
  switch (s) {
    case AgentState::kIdle:
      return "idle";
    case AgentState::kRinging:
      return "ringing";
    case AgentState::kTalking:
      return "talking";
  }
  return "idle";
}

std::string_view StatsGroupName(StatsGroup g) { return NameIn(kGroups, g); }
std::optional<StatsGroup> StatsGroupFromName(std::string_view name) {
  return FromNameIn<StatsGroup>(kGroups, name);
}
std::string_view StatsIntervalName(StatsInterval i) { return NameIn(kIntervals, i); }
std::optional<StatsInterval> StatsIntervalFromName(std::string_view name) {
  return FromNameIn<StatsInterval>(kIntervals, name);
}

}  // namespace callledger
