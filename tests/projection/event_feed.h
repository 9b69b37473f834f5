// A projector fed hand-built ARI events, one record at a time, for the
// tests of rules the captures do not reach (tests/projection). Header-only.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/projector.h"

namespace callledger::testing {

inline constexpr std::int64_t kT0 = 1796644060000000;  // 2026-12-07T11:47:40Z
inline constexpr std::int64_t kMs = 1000;

inline ChannelSnapshot Chan(const std::string& id, const std::string& state,
                            std::int64_t created_us, const std::string& name = "PJSIP/trunk") {
  ChannelSnapshot c;
  c.id = id;
  c.name = name + "-" + id;
  c.state = state;
  c.creation_us = created_us;
  return c;
}

// A projector fed one hand-built record at a time; the rows as it emitted
// them, by call_id.
class Feed {
 public:
  void Event(AriEvent e, std::int64_t at_us) {
    e.time_us = at_us;
    if (e.application.empty()) e.application = "call-center";
    ProjectorInput in;
    in.seq = Seq{++seq_};
    in.kind = RecordKind::kAriEvent;
    in.time_us = at_us;
    in.heard_us = at_us;
    in.event = &e;
    Apply(in);
  }
  // A gap record; `asterisk`: the process its info names (none: no info).
  void Gap(const AsteriskProcess* asterisk = nullptr, std::int64_t at_us = 0) {
    ProjectorInput in;
    in.seq = Seq{++seq_};
    in.kind = RecordKind::kGap;
    in.time_us = at_us;
    in.asterisk = asterisk;
    Apply(in);
  }
  void Cel(const CelEvidence& cel) {
    ProjectorInput in;
    in.seq = Seq{++seq_};
    in.kind = RecordKind::kCel;
    in.time_us = cel.until_us;
    in.cel = &cel;
    Apply(in);
  }
  void Reconcile(const ReconcileSnapshot& snap, std::int64_t at_us) {
    ProjectorInput in;
    in.seq = Seq{++seq_};
    in.kind = RecordKind::kReconcile;
    in.time_us = at_us;
    in.reconcile = &snap;
    Apply(in);
  }
  // Emitted a change with the last record?
  bool Changed() const { return changed_; }
  const CallRow& Row(const std::string& call_id) {
    REQUIRE(rows_.count(call_id) == 1);
    return rows_.at(call_id);
  }
  std::size_t rows() const { return rows_.size(); }
  std::size_t live() const { return projector_.LiveRows().size(); }

 private:
  void Apply(const ProjectorInput& in) {
    std::vector<RowChange> changes;
    projector_.Apply(in, &changes);
    changed_ = !changes.empty();
    for (const auto& c : changes) rows_[c.row.call_id] = c.row;
  }
  Projector projector_{"pbx"};
  std::uint64_t seq_ = 0;
  bool changed_ = false;
  std::map<std::string, CallRow> rows_;
};

inline AriEvent StasisStart(const ChannelSnapshot& ch, std::vector<std::string> args) {
  AriEvent e;
  e.type = "StasisStart";
  e.channel = ch;
  e.has_args = true;
  e.args = std::move(args);
  return e;
}
inline AriEvent OfChannel(const std::string& type, const ChannelSnapshot& ch) {
  AriEvent e;
  e.type = type;
  e.channel = ch;
  return e;
}
inline AriEvent HangupRequest(const ChannelSnapshot& ch, int cause, bool soft) {
  AriEvent e = OfChannel("ChannelHangupRequest", ch);
  e.cause = cause;
  e.soft = soft;
  return e;
}
inline AriEvent Destroyed(const ChannelSnapshot& ch, int cause, const std::string& text) {
  AriEvent e = OfChannel("ChannelDestroyed", ch);
  e.cause = cause;
  e.cause_txt = text;
  return e;
}
inline AriEvent EnteredBridge(const ChannelSnapshot& ch, std::vector<std::string> members) {
  AriEvent e = OfChannel("ChannelEnteredBridge", ch);
  e.bridge = BridgeSnapshot{"bridge-1", std::move(members)};
  return e;
}

inline const std::vector<std::string> kArgs = {"", "kiruvchi", "998901234567", "712001122"};

}  // namespace callledger::testing
