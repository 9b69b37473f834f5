// The configuration's keys (one table for TOML, the environment, .env,
// sources and the dump) and how a value is set from text or from TOML, and
// shown. Internal to daemon/config*.cc.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/config.h"

namespace callledger::daemon::config_detail {

using Ref = std::variant<std::string*, Secret*, bool*, std::chrono::milliseconds*, std::size_t*,
                         std::filesystem::path*, std::optional<std::filesystem::path>*, AriAuth*,
                         LogLevel*>;

struct Field {
  std::string_view key;  // "section.name"
  std::string_view env;  // "" if none
  Ref (*ref)(DaemonConfig&);

  std::string_view section() const { return key.substr(0, key.find('.')); }
  std::string_view name() const { return key.substr(key.find('.') + 1); }
};

// Every key, in the dump's order.
const std::vector<Field>& Fields();
const Field* FindField(std::string_view key);
bool IsSecret(const Field& f);
// Whether the value just set holds a secret: database.url only does if it
// carries a password.
bool HoldsSecret(const Field& f, DaemonConfig& config);
std::vector<std::string_view> Sections();
// " (did you mean X?)" for a close known spelling, else "".
std::string Suggest(std::string_view unknown, const std::vector<std::string_view>& known);
std::string SuggestKey(std::string_view section, std::string_view name);

// Setting a value from text (environment, .env) or a TOML node returns the
// problem, or nullopt. Secret values never appear in a problem.
using Problem = std::optional<std::string>;
Problem SetFromText(Ref ref, std::string_view text);
Problem SetFromToml(Ref ref, const toml::node& node);
// "expected <expected>, found <the node's TOML type>".
std::string WrongType(std::string_view expected, const toml::node& node);
// The value as the dump shows it (secrets as kRedacted).
std::string Show(const Field& field, DaemonConfig& config);

}  // namespace callledger::daemon::config_detail
