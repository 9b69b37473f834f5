// Who may talk to ari-sim: ARI's two ways of presenting credentials.
//
// Asterisk accepts an `Authorization: Basic base64(user:pass)` header or an
// `api_key=user:pass` query parameter on every ARI request, the WebSocket
// upgrade of /ari/events included. When the header is present it decides
// alone (as in Asterisk's res_ari.c); otherwise the api_key does. Anything
// else is a 401.
//
// Pure functions over strings; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callledger::arisim {

struct Credentials {
  // What the real lab's ari.conf used (fixtures/asterisk/README.md).
  std::string user = "backend";
  std::string password = "CallCenter2025";
};

// A user and password as presented by a client.
struct Presented {
  std::string user;
  std::string password;
};

// The path of a request target, without its query ("/ari/events?app=x" ->
// "/ari/events").
std::string_view TargetPath(std::string_view target);

// The query of a target as decoded key/value pairs, in order. Values are
// percent-decoded and '+' reads as a space (Asterisk's legacy URI decoding).
// A key without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view target);

// The first value of `key` in the target's query, if present.
std::optional<std::string> QueryValue(std::string_view target, std::string_view key);

// Standard base64 (RFC 4648, with or without padding). nullopt on any other
// character or a bad length.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

// "Basic dXNlcjpwYXNz" -> {user, pass}. The scheme name is case-insensitive.
// nullopt for other schemes, bad base64 or no ':' in the decoded text.
std::optional<Presented> ParseBasicAuth(std::string_view authorization);

// "user:pass" -> {user, pass} (the password may contain ':').
std::optional<Presented> ParseApiKey(std::string_view api_key);

// True when the request may proceed. `authorization` is the header's value,
// empty when the request has none; `target` is the request target with its
// query.
bool IsAuthorized(const Credentials& expected, std::string_view authorization,
                  std::string_view target);

}  // namespace callledger::arisim
