#include "support/stored_records.h"

#include <catch2/catch.hpp>

#include "record/record_codec.h"

namespace callledger::testing {

Record DecodeStored(const EventLog& log, Seq seq) {
  Result<std::string> bytes = log.ReadEncoded(seq);
  REQUIRE(bytes.ok());
  Result<Record> r = DecodeRecord(*bytes);
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace callledger::testing
