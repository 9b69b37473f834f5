#include "server/assets.h"

#include "server/embedded_assets.h"

namespace callledger::server {

const Asset* FindAsset(std::string_view path) {
  if (path == "/") path = "/index.html";
  // A handful of files: a linear scan is the simplest correct lookup.
  for (const Asset& asset : internal::EmbeddedAssets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace callledger::server
