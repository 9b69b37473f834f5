// The parsers of the daemon's own record payloads (gap, cel, note,
// reconcile) and of fixture record lines, on arbitrary bytes. No crash; a
// payload that parses encodes again to bytes that parse to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "payload/cel.h"
#include "payload/gap.h"
#include "payload/note.h"
#include "payload/reconcile.h"
#include "payload/record_line.h"

using namespace callledger;

namespace {

// Parse, and when it parses, check that Encode gives bytes Parse reads back
// as the same value.
template <typename Parse, typename Encode>
void RoundTrip(std::string_view bytes, Parse parse, Encode encode) {
  const auto parsed = parse(bytes);
  if (!parsed.ok()) return;
  const auto again = parse(encode(parsed.value()));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.value() == parsed.value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  RoundTrip(bytes, payload::ParseGap, payload::EncodeGap);
  RoundTrip(bytes, payload::ParseCel, payload::EncodeCel);
  RoundTrip(bytes, payload::ParseNote, payload::EncodeNote);
  RoundTrip(bytes, payload::ParseReconcile, payload::EncodeReconcile);

  static payload::ReconcileDecoder decoder;
  (void)decoder.Decode(bytes);  // any result but a crash will do

  const auto draft = payload::ParseRecordLine(bytes);
  if (draft.ok()) {
    // A line that parses writes back to a line that parses.
    const auto line = payload::EncodeRecordLine(draft.value());
    if (line.ok()) FUZZ_CHECK(payload::ParseRecordLine(line.value()).ok());
  }
  return 0;
}
