#include <catch2/catch.hpp>

#include "core/hex.h"

namespace callledger {
namespace {

TEST_CASE("hex encodes bytes and decodes back") {
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  CHECK(ToHex(bytes) == "000fa5ff");
  auto back = FromHex("000FA5ff");
  REQUIRE(back.has_value());
  CHECK(*back == std::string("\x00\x0f\xa5\xff", 4));
}

TEST_CASE("hex rejects odd lengths and non-hex digits") {
  CHECK_FALSE(FromHex("abc").has_value());
  CHECK_FALSE(FromHex("zz").has_value());
}

}  // namespace
}  // namespace callledger
