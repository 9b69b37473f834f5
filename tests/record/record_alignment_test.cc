// Stored bytes at any address decode as they do aligned. A RocksDB block
// packs values one after the other, so the ledger hands the codec records
// that start at odd addresses; FlatBuffers reads scalars in place, which is
// undefined behaviour there. On x86 the plain build reads them anyway, so
// these tests fail without the codec's aligned copy only under UBSan
// (tools/scripts/test.sh --sanitize: "load of misaligned address"); the
// views' checks fail in every build if they pointed into that copy.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/record.h"
#include "record/record_codec.h"

namespace callledger {
namespace {

RecordDraft Draft() {
  RecordDraft d;
  d.kind = RecordKind::kAriEvent;
  d.received_at_us = 1795684558123456;
  d.event_time_us = 1795684558000001;
  d.asterisk_id = "02:fc:00:00:00:01";
  d.application = "call-center";
  d.event_type = "ChannelHangupRequest";
  d.channel_ids = {"1795684640.55"};
  d.payload = R"({"type":"ChannelHangupRequest","cause":16})";
  return d;
}

// `bytes` copied to start `offset` bytes past an 8-byte boundary.
std::string_view At(std::string& storage, const std::string& bytes, std::size_t offset) {
  storage.assign(bytes.size() + 16, '\0');
  const auto base = reinterpret_cast<std::uintptr_t>(storage.data());
  const std::size_t skip = (8 - base % 8) % 8 + offset;
  storage.replace(skip, bytes.size(), bytes);
  return std::string_view(storage).substr(skip, bytes.size());
}

bool Inside(std::string_view view, std::string_view bytes) {
  return view.data() >= bytes.data() && view.data() + view.size() <= bytes.data() + bytes.size();
}

TEST_CASE("records at every misaligned address decode as they do aligned") {
  RecordEncoder encoder;
  Sha256Digest hash{};
  const std::string encoded = encoder.Encode(Draft(), Seq{7}, "pbx-1", Sha256Digest{}, &hash);
  const Result<Record> aligned = DecodeRecord(encoded);
  REQUIRE(aligned.ok());

  for (std::size_t offset = 0; offset < 8; ++offset) {
    CAPTURE(offset);
    std::string storage;
    const std::string_view bytes = At(storage, encoded, offset);
    REQUIRE(reinterpret_cast<std::uintptr_t>(bytes.data()) % 8 == offset);

    const Result<Record> r = DecodeRecord(bytes);
    REQUIRE(r.ok());
    CHECK(r->seq == Seq{7});
    CHECK(r->received_at_us == aligned->received_at_us);
    CHECK(r->event_time_us == aligned->event_time_us);
    CHECK(r->channel_ids == aligned->channel_ids);
    CHECK(r->payload == aligned->payload);
    CHECK(r->hash == hash);

    const Result<RecordChainView> chain = DecodeChainView(bytes);
    REQUIRE(chain.ok());
    CHECK(chain->computed_hash == hash);
    const Result<Sha256Digest> computed = ComputeRecordHash(bytes);
    REQUIRE(computed.ok());
    CHECK(*computed == hash);
  }
}

TEST_CASE("a misaligned record's views point into the caller's bytes") {
  RecordEncoder encoder;
  Sha256Digest hash{};
  const std::string encoded = encoder.Encode(Draft(), Seq{8}, "pbx-1", Sha256Digest{}, &hash);
  std::string first_storage, second_storage;
  const std::string_view first = At(first_storage, encoded, 3);
  const std::string_view second = At(second_storage, encoded, 5);

  const Result<RecordView> view = DecodeRecordView(first);
  REQUIRE(view.ok());
  // A second decode on this thread must not change what the first returned.
  REQUIRE(DecodeRecordView(second).ok());
  CHECK(view->seq == Seq{8});
  CHECK(view->event_time_us == 1795684558000001);
  CHECK(view->event_type == "ChannelHangupRequest");
  CHECK(view->payload == Draft().payload);
  CHECK(Inside(view->event_type, first));
  CHECK(Inside(view->payload, first));
}

}  // namespace
}  // namespace callledger
