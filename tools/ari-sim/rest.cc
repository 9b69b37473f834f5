#include "ari-sim/rest.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <optional>

namespace callledger::arisim {
namespace {

RestResponse Answer(int status, std::string body) {
  RestResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

RestResponse Message(int status, std::string_view message) {
  return Answer(status, MessageJson(message));
}

RestResponse Unauthorized() {
  RestResponse response = Message(401, "Authentication required");
  response.ask_for_credentials = true;
  return response;
}

bool UnderAri(std::string_view path) { return path == "/ari" || path.starts_with("/ari/"); }

// "/ari/channels/ID" with prefix "/ari/channels/" -> "ID" (no further '/').
std::optional<std::string> ResourceId(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  const std::string_view id = path.substr(prefix.size());
  if (id.empty() || id.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(id);
}

}  // namespace

std::string MessageJson(std::string_view message) {
  boost::json::object object;
  object["message"] = message;
  return boost::json::serialize(object);
}

RestResponse HandleRest(const RestRequest& request, const RestContext& context) {
  std::string_view path = TargetPath(request.target);
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (!UnderAri(path)) return Message(404, "Not found");
  if (!IsAuthorized(context.credentials, request.authorization, request.target)) {
    return Unauthorized();
  }

  const auto known = [&]() -> std::optional<RestResponse> {
    if (path == "/ari/asterisk/info") return Answer(200, context.asterisk_info);
    if (path == "/ari/channels") return Answer(200, context.state.ChannelsJson());
    if (path == "/ari/bridges") return Answer(200, context.state.BridgesJson());
    if (auto id = ResourceId(path, "/ari/channels/")) {
      if (auto body = context.state.ChannelJson(*id)) return Answer(200, std::move(*body));
      return Message(404, "Channel not found");
    }
    if (auto id = ResourceId(path, "/ari/bridges/")) {
      if (auto body = context.state.BridgeJson(*id)) return Answer(200, std::move(*body));
      return Message(404, "Bridge not found");
    }
    if (path == kEventsPath) return Message(400, "WebSocket upgrade required");
    return std::nullopt;
  }();
  if (!known) return Message(404, "Not found");
  if (request.method != "GET") return Message(405, "Method not allowed: ari-sim only reads");
  return *known;
}

EventsUpgrade CheckEventsUpgrade(const RestRequest& request, const Credentials& credentials) {
  EventsUpgrade verdict;
  if (TargetPath(request.target) != kEventsPath) {
    verdict.refusal = Message(404, "Not found");
    return verdict;
  }
  if (!IsAuthorized(credentials, request.authorization, request.target)) {
    verdict.refusal = Unauthorized();
    return verdict;
  }
  std::optional<std::string> app = QueryValue(request.target, "app");
  if (!app || app->empty()) {
    verdict.refusal = Message(400, "Missing param 'app'");
    return verdict;
  }
  verdict.accept = true;
  verdict.app = std::move(*app);
  return verdict;
}

}  // namespace callledger::arisim
