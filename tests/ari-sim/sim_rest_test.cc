// ari-sim without sockets: credentials (Basic or api_key, like Asterisk),
// the REST answers and the events upgrade from the live state, and the
// loopback-only listen address.
#include "ari-sim/rest.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ari-sim/auth.h"
#include "ari-sim/listen_address.h"
#include "ari/live_state.h"
#include "sim_frames.h"

namespace callledger::arisim {
namespace {

using callledger::testing::Frames;
using callledger::testing::kObserverA;
using callledger::testing::StateAfter;

TEST_CASE("Credentials: Basic or api_key, like Asterisk", "[ari-sim][auth]") {
  const Credentials lab;  // backend / CallCenter2025
  const std::string good = "Basic " + EncodeBase64("backend:CallCenter2025");
  CHECK(good == "Basic YmFja2VuZDpDYWxsQ2VudGVyMjAyNQ==");
  CHECK(IsAuthorized(lab, good, "/ari/channels"));
  CHECK(IsAuthorized(lab, "basic YmFja2VuZDpDYWxsQ2VudGVyMjAyNQ==", "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "Basic " + EncodeBase64("backend:wrong"), "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "Basic " + EncodeBase64("other:CallCenter2025"), "/x"));
  CHECK_FALSE(IsAuthorized(lab, "Basic not-base64!", "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "Bearer abc", "/ari/channels"));
  CHECK_FALSE(IsAuthorized(lab, "", "/ari/channels"));

  CHECK(IsAuthorized(lab, "", "/ari/events?api_key=backend:CallCenter2025&app=call-ledger"));
  CHECK(IsAuthorized(lab, "", "/ari/events?app=x&api_key=backend%3ACallCenter2025"));
  CHECK_FALSE(IsAuthorized(lab, "", "/ari/events?app=x&api_key=backend:wrong"));
  CHECK_FALSE(IsAuthorized(lab, "", "/ari/events?app=x&api_key=backend"));
  // The header, when present, decides alone.
  CHECK_FALSE(IsAuthorized(lab, "Basic " + EncodeBase64("backend:wrong"),
                           "/ari/channels?api_key=backend:CallCenter2025"));

  const Credentials custom{"alice", "p:ss word"};
  CHECK(IsAuthorized(custom, "", "/ari/channels?api_key=alice:p%3Ass+word"));
  CHECK(IsAuthorized(custom, "Basic " + EncodeBase64("alice:p:ss word"), "/ari/channels"));
  CHECK_FALSE(IsAuthorized(custom, good, "/ari/channels"));

  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\xff\x00\x10", 3)}) {
    CHECK(DecodeBase64(EncodeBase64(text)) == text);
  }
  CHECK(DecodeBase64("YWI") == "ab");  // unpadded
  CHECK_FALSE(DecodeBase64("abcde").has_value());
  CHECK_FALSE(DecodeBase64("YWI=YWI=").has_value());
  CHECK_FALSE(DecodeBase64("ab=c").has_value());
}

TEST_CASE("REST answers without sockets", "[ari-sim][rest]") {
  const Credentials lab;
  const std::string info = R"({"system":{"version":"22.10.1"}})";
  const auto frames = Frames(kObserverA);
  const ari::LiveState state = StateAfter(frames, 40);
  const RestContext context{lab, info, state};
  const std::string auth = "Basic " + EncodeBase64("backend:CallCenter2025");

  auto answer = HandleRest({"GET", "/ari/channels", ""}, context);
  CHECK(answer.status == 401);
  CHECK(answer.ask_for_credentials);
  CHECK(
      HandleRest({"GET", "/ari/channels", "Basic " + EncodeBase64("backend:x")}, context).status ==
      401);

  answer = HandleRest({"GET", "/ari/channels", auth}, context);
  CHECK(answer.status == 200);
  CHECK(answer.body == state.ChannelsJson());
  CHECK(HandleRest({"GET", "/ari/bridges?api_key=backend:CallCenter2025", ""}, context).body ==
        state.BridgesJson());
  CHECK(HandleRest({"GET", "/ari/asterisk/info", auth}, context).body == info);
  answer = HandleRest({"GET", "/ari/channels/1795684558.5", auth}, context);
  CHECK(answer.status == 200);
  CHECK(answer.body == *state.ChannelJson("1795684558.5"));
  answer = HandleRest({"GET", "/ari/channels/9.9", auth}, context);
  CHECK(answer.status == 404);
  CHECK(answer.body == R"({"message":"Channel not found"})");

  answer = HandleRest({"GET", "/nowhere", ""}, context);
  CHECK(answer.status == 404);
  CHECK(answer.body == R"({"message":"Not found"})");
  CHECK(HandleRest({"GET", "/ari/nowhere", auth}, context).status == 404);
  CHECK(HandleRest({"DELETE", "/ari/channels/1795684558.5", auth}, context).status == 405);
  CHECK(HandleRest({"GET", "/ari/events?app=x", auth}, context).status == 400);

  auto upgrade =
      CheckEventsUpgrade({"GET", "/ari/events?app=call-ledger&subscribeAll=true", ""}, lab);
  CHECK_FALSE(upgrade.accept);
  CHECK(upgrade.refusal.status == 401);
  upgrade = CheckEventsUpgrade(
      {"GET", "/ari/events?app=call%2Dledger&subscribeAll=true&api_key=backend:CallCenter2025", ""},
      lab);
  CHECK(upgrade.accept);
  CHECK(upgrade.app == "call-ledger");
  CHECK(CheckEventsUpgrade({"GET", "/ari/events", auth}, lab).refusal.status == 400);
  CHECK(CheckEventsUpgrade({"GET", "/ari/other?app=x", auth}, lab).refusal.status == 404);
}

TEST_CASE("The listen address must be loopback", "[ari-sim][listen]") {
  auto parsed = ParseListenAddress("127.0.0.1:0");
  REQUIRE(parsed.ok());
  CHECK(parsed->host == "127.0.0.1");
  CHECK(parsed->port == 0);
  CHECK(ParseListenAddress("127.4.5.6:8088").ok());
  parsed = ParseListenAddress("localhost:8088");
  REQUIRE(parsed.ok());
  CHECK(parsed->host == "127.0.0.1");
  parsed = ParseListenAddress("[::1]:9000");
  REQUIRE(parsed.ok());
  CHECK(parsed->ipv6);
  CHECK(FormatHostPort(parsed->host, parsed->ipv6, parsed->port) == "[::1]:9000");

  for (const char* refused : {"0.0.0.0:0", "192.168.1.10:8088", "10.0.0.1:1", "[::]:0"}) {
    auto result = ParseListenAddress(refused);
    CHECK_FALSE(result.ok());
    CHECK(result.status().message().find("loopback only") != std::string::npos);
  }
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "example.com:80", "::1:80"}) {
    CHECK_FALSE(ParseListenAddress(bad).ok());
  }
}

}  // namespace
}  // namespace callledger::arisim
