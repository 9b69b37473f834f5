// The wallboard's static files (src/server/wallboard/), built into the
// binary at compile time by src/server/embed_assets.cmake, so the daemon
// serves them with no files on disk and no network (no CDN).
//
// Assets live for the whole program (static storage); FindAsset returns a
// pointer into a constant table and is safe to call from any thread.
#pragma once

#include <string_view>

namespace callledger::server {

struct Asset {
  std::string_view path;          // "/index.html", "/wallboard.css", ...
  std::string_view content_type;  // with "; charset=utf-8" for text
  std::string_view body;          // the file's bytes, unchanged
  std::string_view etag;          // a quoted strong ETag from the bytes' SHA-256
};

// `path` is the path part of the request target (no query string). "/" maps
// to index.html. nullptr if there is no such asset.
const Asset* FindAsset(std::string_view path);

}  // namespace callledger::server
