// ari-sim's HTTP answers as pure functions: request in, response out, no
// sockets (sim_server.h does the I/O).
//
// Under /ari every request needs credentials (auth.h), else 401 with
// `WWW-Authenticate: Basic realm="Asterisk REST Interface"`. Then:
//   GET /ari/asterisk/info        the recorded asterisk-info.json, verbatim
//                                 (after a restart, the new process's:
//                                 RestContext::asterisk_info)
//   GET /ari/channels             ari::LiveState::ChannelsJson()
//   GET /ari/channels/{id}        one channel, or 404 "Channel not found"
//   GET /ari/bridges              ari::LiveState::BridgesJson()
//   GET /ari/bridges/{id}         one bridge, or 404 "Bridge not found"
//   /ari/events                   WebSocket only (CheckEventsUpgrade); a
//                                 plain request gets 400
// Other methods on those paths get 405 (ari-sim never changes a call).
// Anything else: 404 {"message":"Not found"}. Bodies are JSON.
#pragma once

#include <string>
#include <string_view>

#include "ari-sim/auth.h"
#include "ari/live_state.h"

namespace callledger::arisim {

inline constexpr std::string_view kEventsPath = "/ari/events";
inline constexpr std::string_view kAuthRealm = "Basic realm=\"Asterisk REST Interface\"";

struct RestRequest {
  std::string_view method;         // "GET", ...
  std::string_view target;         // path and query
  std::string_view authorization;  // the Authorization header, empty if none
};

struct RestResponse {
  int status = 200;
  std::string body;                  // JSON
  bool ask_for_credentials = false;  // send WWW-Authenticate (401)
};

// What the REST answers read. References, not copies: valid for the call.
struct RestContext {
  const Credentials& credentials;
  const std::string& asterisk_info;  // body of /ari/asterisk/info
  const ari::LiveState& state;
};

RestResponse HandleRest(const RestRequest& request, const RestContext& context);

// The verdict on a WebSocket upgrade request.
struct EventsUpgrade {
  bool accept = false;
  std::string app;       // the `app` parameter, when accepted
  RestResponse refusal;  // the HTTP answer, when not accepted
};

// Accepts `/ari/events?app=NAME[&subscribeAll=...][&api_key=...]` with valid
// credentials: 404 for another path, 401 without credentials, 400 without a
// non-empty `app`.
EventsUpgrade CheckEventsUpgrade(const RestRequest& request, const Credentials& credentials);

// {"message":"..."} with JSON escaping.
std::string MessageJson(std::string_view message);

}  // namespace callledger::arisim
