#include "server/auth.h"

#include "server/routes.h"

namespace callledger::server {
namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret (the operator chose it); the bytes are.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

AuthDecision Authorize(const AuthPolicy& policy, bool loopback_client,
                       std::string_view authorization, std::string_view query_token) {
  if (policy.bearer_token.empty())
    return loopback_client ? AuthDecision::kAllow : AuthDecision::kForbidden;
  if (loopback_client && policy.allow_loopback_without_token) return AuthDecision::kAllow;
  std::string_view token = query_token;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    token = authorization.substr(kBearer.size());
  }
  if (token.empty()) return AuthDecision::kUnauthorized;
  return ConstantTimeEquals(token, policy.bearer_token) ? AuthDecision::kAllow
                                                        : AuthDecision::kUnauthorized;
}

std::pair<std::string, std::string> TakeAccessToken(std::string_view target) {
  const auto qmark = target.find('?');
  if (qmark == std::string_view::npos) return {std::string(target), {}};
  std::string kept(target.substr(0, qmark));
  std::string query;
  std::string token;
  std::string_view rest = target.substr(qmark + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view piece = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (piece.starts_with("access_token=")) {
      auto decoded = PercentDecode(piece.substr(std::string_view("access_token=").size()));
      token = decoded.ok() ? *decoded : std::string();
      continue;
    }
    query += (query.empty() ? "" : "&") + std::string(piece);
  }
  if (!query.empty()) kept += "?" + query;
  return {kept, token};
}

}  // namespace callledger::server
