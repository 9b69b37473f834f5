// The record decoder on arbitrary bytes, as the ledger reader and
// `ledger-audit verify` meet a corrupted value: every entry point gives a
// value or kDataLoss / kInvalidInput, never a crash or a read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "record/record_codec.h"

using namespace callledger;

namespace {

bool IsDecodeError(const Status& status) {
  return status.code() == Code::kDataLoss || status.code() == Code::kInvalidInput;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A copy of exactly `size` bytes, so ASan sees any read past the end.
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string_view view(bytes);

  const auto record = DecodeRecord(view);
  if (!record.ok()) FUZZ_CHECK(IsDecodeError(record.status()));
  const auto record_view = DecodeRecordView(view);
  if (!record_view.ok()) FUZZ_CHECK(IsDecodeError(record_view.status()));
  // Both readers judge the same bytes alike.
  FUZZ_CHECK(record.ok() == record_view.ok());
  const auto chain = DecodeChainView(view);
  if (!chain.ok()) FUZZ_CHECK(IsDecodeError(chain.status()));
  const auto hash = ComputeRecordHash(view);
  if (!hash.ok()) FUZZ_CHECK(IsDecodeError(hash.status()));
  return 0;
}
