// A CEL line as cel_custom writes it, on arbitrary bytes: decoded, then read
// as the projector reads it. No crash; a failure is kInvalidInput.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "payload/cel_event.h"

using namespace callledger;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static payload::CelLineDecoder decoder;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto event = decoder.Decode(line);
  if (!event.ok()) {
    FUZZ_CHECK(event.status().code() == Code::kInvalidInput);
    return 0;
  }
  // Any fact, or none, will do.
  (void)payload::CelFactOf(std::move(event).value());
  return 0;
}
