// The ARI frame path on arbitrary bytes: FrameParser through DraftFromFrame
// (what ingest records) and EventDecoder (what the projector reads), with
// and without the decoder's padding. No crash; every frame becomes an
// ari_event or a malformed record that keeps its bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ari/event_decoder.h"
#include "ari/frame_record.h"
#include "fuzz_check.h"

using namespace callledger;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  static ari::FrameParser parser;
  static ari::EventDecoder decoder;

  const RecordDraft draft = ari::DraftFromFrame(parser, frame, 1);
  FUZZ_CHECK(draft.kind == RecordKind::kAriEvent || draft.kind == RecordKind::kMalformed);
  FUZZ_CHECK(draft.payload == frame);
  if (draft.kind == RecordKind::kMalformed) FUZZ_CHECK(!draft.reason.empty());

  (void)decoder.DecodeEvent(frame);  // any result but a crash will do
  std::string padded(frame);
  padded.append(ari::EventDecoder::kPadding, '\0');
  AriEvent event;
  // Any status will do; the padded read must stay inside the padding.
  (void)decoder.DecodeEventInto(std::string_view(padded.data(), size), &event,
                                ari::EventDecoder::Padding::kPadded);
  return 0;
}
