// Internal: the table that src/server/embed_assets.cmake generates from
// src/server/wallboard/ at build time. Use FindAsset (assets.h) instead.
#pragma once

#include <span>

#include "server/assets.h"

namespace callledger::server::internal {

// Every embedded file once, in the order of the CMake list.
std::span<const Asset> EmbeddedAssets();

}  // namespace callledger::server::internal
