// Who may use the HTTP server (DESIGN 6): a pure decision, tested without
// sockets. See http_server.h for the policy in words.
#pragma once

#include <string>
#include <string_view>

namespace callledger::server {

struct AuthPolicy {
  std::string bearer_token;  // "" = none configured
  bool allow_loopback_without_token = true;
};

enum class AuthDecision {
  kAllow,
  kUnauthorized,  // 401: a token is required and was missing or wrong
  kForbidden,     // 403: no token is configured, and the client is not on loopback
};

// `authorization` is the Authorization header ("" if none); `query_token`
// the access_token query parameter ("" if none). Tokens are compared in
// constant time.
AuthDecision Authorize(const AuthPolicy& policy, bool loopback_client,
                       std::string_view authorization, std::string_view query_token);

// Removes `access_token=...` from a request target's query, returning the
// target without it and the token (percent-decoded; "" if absent or bad).
std::pair<std::string, std::string> TakeAccessToken(std::string_view target);

}  // namespace callledger::server
