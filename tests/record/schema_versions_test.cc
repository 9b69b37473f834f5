// Schema evolution (schemas/README.md): records written by schema version 1,
// before the kind `cel` existed, read as they always did and verify by
// their stored bytes; a kind newer than this build reads as unknown.
#include <catch2/catch.hpp>

#include <string>

#include "core/hex.h"
#include "core/record.h"
#include "record/record_codec.h"

namespace callledger {
namespace {

// Two records exactly as a schema-1 build (call-ledger before issue 12)
// encoded them, in hex: a gap (seq 1) and the frame after it (seq 2).
const char* const kV1Gap =
    "30000000434c523100002600780006007000050068005c0058005400500060000000000000004c0000004800280008"
    "00"
    "2600000000020100cf0a678e1078af5fbc1607cba5b6224e04bcd7b6c757eb378ae97cf83d5ec95300000000000000"
    "00"
    "0000000000000000000000000000000000000000000000003000000058000000b4000000b8000000bc000000c00000"
    "00"
    "005a41c009620600005a41c009620600010000000000000026000000636f6e6e656374656420746f20415249206166"
    "74"
    "65723a206461656d6f6e207374617274656400005c0000007b22726561736f6e223a22636f6e6e656374656420746f"
    "20"
    "4152492061667465723a206461656d6f6e2073746172746564222c2273696e63655f7573223a302c22756e74696c5f"
    "75"
    "73223a313739363634333838303030303030307d000000000000000000000000000000000000000000000000060000"
    "00"
    "7062782d76310000";
const char* const kV1Frame =
    "30000000434c5231000026007c0006007000050068005c0058005400500060004c0000000000480000000000280008"
    "00"
    "26000000000101001c52041d82484047eccd9b933ec9878b10cd0d4e5a3bd6ef7ea313a264a4c76ecf0a678e1078af"
    "5f"
    "bc1607cba5b6224e04bcd7b6c757eb378ae97cf83d5ec9533400000098000000b0000000c0000000cc000000e00000"
    "00"
    "70fabcc009620600404ebdc009620600020000000000000000000000640000007b2274797065223a224368616e6e65"
    "6c"
    "43726561746564222c2274696d657374616d70223a22323032362d31322d30375431363a34343a34382e3130322b30"
    "35"
    "3030222c226368616e6e656c223a7b226964223a22313739363634333838382e35227d7d01000000040000000c0000"
    "00"
    "313739363634333838382e35000000000e0000004368616e6e656c4372656174656400000b00000063616c6c2d6c65"
    "64"
    "676572001100000030323a66633a30303a30303a30303a3031000000060000007062782d76310000";

std::string Bytes(const char* hex) {
  auto bytes = FromHex(hex);
  REQUIRE(bytes.has_value());
  return *bytes;
}

TEST_CASE("records written by schema version 1 decode as before and keep their hashes") {
  const std::string gap_bytes = Bytes(kV1Gap), frame_bytes = Bytes(kV1Frame);
  Result<Record> gap = DecodeRecord(gap_bytes);
  REQUIRE(gap.ok());
  CHECK(gap->version == 1);
  CHECK(gap->seq == Seq{1});
  CHECK(gap->kind == RecordKind::kGap);
  CHECK(gap->node == "pbx-v1");
  CHECK(gap->event_time_us == 1796643880000000);
  CHECK(gap->received_at_us == 1796643880000000);
  CHECK(gap->reason == "connected to ARI after: daemon started");
  CHECK(
      gap->payload ==
      R"({"reason":"connected to ARI after: daemon started","since_us":0,"until_us":1796643880000000})");
  CHECK(gap->prev_hash == Sha256Digest{});

  Result<Record> frame = DecodeRecord(frame_bytes);
  REQUIRE(frame.ok());
  CHECK(frame->version == 1);
  CHECK(frame->seq == Seq{2});
  CHECK(frame->kind == RecordKind::kAriEvent);
  CHECK(frame->asterisk_id == "02:fc:00:00:00:01");
  CHECK(frame->application == "call-ledger");
  CHECK(frame->event_type == "ChannelCreated");
  CHECK(frame->event_time_us == 1796643888102000);
  CHECK(frame->received_at_us == 1796643888123456);
  CHECK(frame->channel_ids == std::vector<std::string>{"1796643888.5"});
  CHECK(frame->prev_hash == gap->hash);

  // Verification hashes the stored bytes: old records verify forever.
  for (const std::string* bytes : {&gap_bytes, &frame_bytes}) {
    Result<RecordChainView> view = DecodeChainView(*bytes);
    REQUIRE(view.ok());
    CHECK(view->version == 1);
    CHECK(view->computed_hash == view->hash);
  }
  Result<RecordView> view = DecodeRecordView(frame_bytes);
  REQUIRE(view.ok());
  CHECK(view->kind == RecordKind::kAriEvent);
  CHECK(view->event_type == "ChannelCreated");
}

TEST_CASE("this build writes schema version 2, and a cel record is one of its kinds") {
  CHECK(kRecordSchemaVersion == 2);
  RecordEncoder encoder;
  RecordDraft d;
  d.kind = RecordKind::kCel;
  d.payload = "{}";
  Sha256Digest hash{};
  Result<Record> r = DecodeRecord(encoder.Encode(d, Seq{1}, "n", Sha256Digest{}, &hash));
  REQUIRE(r.ok());
  CHECK(r->version == 2);
  CHECK(r->kind == RecordKind::kCel);
}

TEST_CASE("a kind newer than this build is kept and reads as unknown") {
  RecordEncoder encoder;
  RecordDraft d;
  d.kind = static_cast<RecordKind>(7);  // what a later schema may add
  d.payload = "later";
  Sha256Digest hash{};
  const std::string bytes = encoder.Encode(d, Seq{1}, "n", Sha256Digest{}, &hash);
  Result<Record> r = DecodeRecord(bytes);
  REQUIRE(r.ok());
  CHECK(r->kind == RecordKind::kUnknown);
  CHECK(r->payload == "later");
  Result<RecordView> view = DecodeRecordView(bytes);
  REQUIRE(view.ok());
  CHECK(view->kind == RecordKind::kUnknown);
  Result<RecordChainView> chain = DecodeChainView(bytes);
  REQUIRE(chain.ok());
  CHECK(chain->computed_hash == chain->hash);
}

}  // namespace
}  // namespace callledger
