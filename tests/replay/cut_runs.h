// Simulated cut runs of the captures of fixtures/asterisk-cel for the
// replay tests (replay/cut_replay.h), and what the tests read back from
// them: record kinds in order, the captures' clocks and CEL lines read
// without the code under test.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/record.h"
#include "replay/cut_replay.h"

namespace callledger::testing {

// fixtures/asterisk-cel/<name> (e.g. "a-inbound-answered.observer.jsonl").
std::filesystem::path CelFixture(const std::string& name);
// fixtures/asterisk-cel/<scenario>.cel.jsonl
std::filesystem::path CelLog(const std::string& scenario);
// The frames of a plain capture (its non-empty lines).
std::vector<std::string> CaptureFrames(const std::filesystem::path& stream);

// The run of `stream` (a capture of fixtures/asterisk-cel) with `cuts` and,
// if `with_cel`, its scenario's CEL log; REQUIREs success.
replay::CutRun RunCuts(const std::string& stream, std::vector<replay::Cut> cuts, bool with_cel);

// The kinds of `records` in order, runs of one kind shortened:
// "note gap reconcile cel ari_event*53 gap reconcile cel ari_event*28".
std::string KindsInOrder(const std::vector<RecordDraft>& records);
// The records of one kind, in order.
std::vector<RecordDraft> OfKind(const std::vector<RecordDraft>& records, RecordKind kind);

// T(i) of cuts.h for every frame, from their "timestamp" members read
// here, and lead_in in µs.
std::vector<std::int64_t> LatestTimestamps(const std::vector<std::string>& frames);
inline constexpr std::int64_t kLeadInUs = 300'000;

// A CEL line's eventtime ("<seconds>.<6 digits>"), UTC µs, read here.
std::int64_t EventTimeOf(const std::string& cel_line);

}  // namespace callledger::testing
