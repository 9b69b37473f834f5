#include "core/record.h"

#include <array>
#include <utility>

namespace callledger {
namespace {
constexpr std::array<std::pair<RecordKind, std::string_view>, 7> kNames{{
    {RecordKind::kUnknown, "unknown"},
    {RecordKind::kAriEvent, "ari_event"},
    {RecordKind::kGap, "gap"},
    {RecordKind::kReconcile, "reconcile"},
    {RecordKind::kMalformed, "malformed"},
    {RecordKind::kNote, "note"},
    {RecordKind::kCel, "cel"},
}};
}  // namespace

std::string_view RecordKindName(RecordKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<RecordKind> RecordKindFromName(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace callledger
