// The projector on a sequence of records built from the bytes: each line is
// an ARI frame (recorded as ingest records it: ari_event or malformed), a
// daemon record line (`{"call_ledger_record":...`, a gap, reconcile, note or
// cel record), or "#N", the N-th frame of a real capture, so mutations mix
// with real calls. The records are encoded and decoded as the ledger stores
// them, then projected twice by fresh RecordProjectors.
// Invariants: no crash; both runs give the same changes (determinism); every
// row's status, times and answer agree, and its agents with its answer
// (docs/projection.md).
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ari/frame_record.h"
#include "fuzz_check.h"
#include "payload/record_line.h"
#include "projection/record_projector.h"
#include "record/record_codec.h"

using namespace callledger;

namespace {

// The frames of one real call-center capture (an answered inbound call).
const std::vector<std::string>& RealFrames() {
  static const std::vector<std::string> frames = [] {
    std::vector<std::string> out;
    std::ifstream in(std::string(CALL_LEDGER_SOURCE_DIR) +
                     "/fixtures/asterisk/a-inbound-answered.call-center.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(line);
    FUZZ_CHECK(!out.empty());
    return out;
  }();
  return frames;
}

// The line's record draft, or nullopt for a record line that does not parse.
std::optional<RecordDraft> DraftOf(std::string_view line, ari::FrameParser& parser,
                                   std::int64_t at_us) {
  if (line.size() > 1 && line[0] == '#') {
    std::size_t n = 0;
    for (char c : line.substr(1)) n = n * 10 + static_cast<unsigned char>(c) % 10;
    line = RealFrames()[n % RealFrames().size()];
  } else if (payload::IsRecordLine(line)) {
    auto draft = payload::ParseRecordLine(line);
    if (!draft.ok()) return std::nullopt;
    return std::move(draft).value();
  }
  return ari::DraftFromFrame(parser, line, at_us);
}

// The stored bytes of every record the input makes, in seq order.
std::vector<std::string> StoredRecords(std::string_view input) {
  static ari::FrameParser parser;
  static RecordEncoder encoder;
  std::vector<std::string> stored;
  Sha256Digest hash{};
  std::int64_t at_us = 1'795'684'558'000'000;
  while (!input.empty()) {
    const std::size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    at_us += 1000;
    const auto draft = DraftOf(line, parser, at_us);
    if (!draft) continue;
    const Sha256Digest prev = hash;
    stored.push_back(encoder.Encode(*draft, Seq{stored.size() + 1}, "fuzz", prev, &hash));
  }
  return stored;
}

std::vector<RowChange> Project(const std::vector<std::string>& stored) {
  projection::RecordProjector projector("fuzz");
  std::vector<RowChange> changes;
  for (const auto& bytes : stored) {
    const auto record = DecodeRecord(bytes);
    FUZZ_CHECK(record.ok());  // the encoder's own bytes always decode
    projector.Apply(record.value(), &changes);
  }
  return changes;
}

bool SameChanges(const std::vector<RowChange>& a, const std::vector<RowChange>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].op != b[i].op || a[i].row != b[i].row) return false;
  }
  return true;
}

void CheckRow(const CallRow& row) {
  if (row.status == CallStatus::kTalking) FUZZ_CHECK(row.answered);
  // Agents (docs/projection.md): an inbound agent and a transfer come from
  // a connection; each leg is a channel of its own, listed once.
  if (row.direction != "chiquvchi" && !row.agent.empty()) FUZZ_CHECK(row.answered);
  if (!row.transferred_to.empty()) FUZZ_CHECK(row.answered);
  for (std::size_t i = 0; i < row.agents_tried.size(); ++i) {
    const AgentAttempt& leg = row.agents_tried[i];
    FUZZ_CHECK(!leg.channel_id.empty() && leg.channel_id != row.channel_id);
    for (std::size_t j = 0; j < i; ++j)
      FUZZ_CHECK(row.agents_tried[j].channel_id != leg.channel_id);
  }
  if (row.answered) FUZZ_CHECK(row.answer_us != 0);
  if (row.status != CallStatus::kFinished) {
    FUZZ_CHECK(row.disposition.empty());
    return;
  }
  FUZZ_CHECK(!row.disposition.empty());
  FUZZ_CHECK(row.answered == (row.disposition == "answered"));
  FUZZ_CHECK(row.duration_s.has_value());
  if (row.start_us != 0) FUZZ_CHECK(row.end_us >= row.start_us);
  FUZZ_CHECK(*row.duration_s >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> stored =
      StoredRecords(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::vector<RowChange> first = Project(stored);
  const std::vector<RowChange> second = Project(stored);
  FUZZ_CHECK(SameChanges(first, second));
  projection::RowSet rows;
  rows.Apply(first);
  for (const CallRow& row : rows.Sorted()) CheckRow(row);
  return 0;
}
