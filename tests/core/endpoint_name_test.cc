// The extension a channel name stands for (core/endpoint_name.h), as the
// agent columns name agents (docs/projection.md, "Agents").
#include "core/endpoint_name.h"

#include <catch2/catch.hpp>

namespace callledger::fold {
namespace {

TEST_CASE("an endpoint from each kind of channel name") {
  // The captures' Local channels (fixtures/asterisk/README.md).
  CHECK(EndpointOfChannel("Local/101@agents-0000001f;1") == "101");
  CHECK(EndpointOfChannel("Local/998935556677@pstn-00000009;1") == "998935556677");
  CHECK(EndpointOfChannel("Local/101;2") == "101");
  // Device channels: technology, endpoint, '-' and Asterisk's counter.
  CHECK(EndpointOfChannel("PJSIP/101-0000000a") == "101");
  CHECK(EndpointOfChannel("SIP/trunk-uz-00000001") == "trunk-uz");
  CHECK(EndpointOfChannel("IAX2/101-3874") == "101");
  CHECK(EndpointOfChannel("DAHDI/1-1") == "1");
  // No counter to strip: the endpoint as it is.
  CHECK(EndpointOfChannel("PJSIP/reception") == "reception");
  CHECK(EndpointOfChannel("PJSIP/agent-x") == "agent-x");  // 'x' is no hex digit
  CHECK(EndpointOfChannel("PJSIP/101-") == "101-");
  // Not a channel name Asterisk writes: left alone.
  CHECK(EndpointOfChannel("101") == "101");
  CHECK(EndpointOfChannel("") == "");
}

TEST_CASE("Local channels are told apart from devices") {
  CHECK(IsLocalChannelName("Local/101@agents-0000001f;1"));
  CHECK_FALSE(IsLocalChannelName("PJSIP/101-0000000a"));
  CHECK_FALSE(IsLocalChannelName("local/101"));  // Asterisk writes "Local"
}

}  // namespace
}  // namespace callledger::fold
