// Turns one received frame into the ledger record draft that keeps it:
// an `ari_event` when it parses, a `malformed` record (exact bytes, the
// reason) when it does not. Nothing the PBX sends is dropped (invariant 6).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ari/frame_parser.h"
#include "core/record.h"

namespace callledger::ari {

// Payloads above this are truncated in `malformed` records, with the
// original size kept in payload_size. Frames are normally < 10 KiB; this only
// bounds what a misbehaving peer can make the ledger store.
inline constexpr std::size_t kDefaultMaxStoredBytes = 16 << 20;

RecordDraft DraftFromFrame(FrameParser& parser, std::string_view frame, std::int64_t received_at_us,
                           std::size_t max_stored_bytes = kDefaultMaxStoredBytes);

}  // namespace callledger::ari
