// Writing a response on an HTTP connection: a whole one, or one whose body
// comes from the database a page at a time (chunked, for the CSV export).
//
// Every write is bounded by `write_timeout` (HttpLimits::write_timeout, for
// the whole response or for each chunk). The result says whether the
// connection can go on: false means it broke, timed out or an export ended
// early, and the caller must close it.
//
// Views, not strings, for the optional headers: GCC 12 can destroy a
// temporary std::string argument of a co_await expression twice.
#pragma once

#include <chrono>
#include <string_view>

#include "server/asio_names.h"
#include "server/routes.h"
#include "server/worker_pool.h"

namespace callledger::server {

// The extra headers and the method a whole response is written for.
struct ResponseExtras {
  std::string_view www_authenticate;  // a challenge for 401, or empty
  std::string_view etag;              // set: "ETag" and "no-cache"; else "no-store"
  bool head = false;                  // HEAD: the headers only, Content-Length of the body
};

awaitable<bool> WriteResponse(beast::tcp_stream& stream, const HttpResponse& r, unsigned version,
                              bool keep_alive, std::chrono::milliseconds write_timeout,
                              ResponseExtras extras = {});

// `r.next_chunk` called on a worker for each piece, so only one page of the
// export is in memory however long it is.
awaitable<bool> WriteStreamed(beast::tcp_stream& stream, const HttpResponse& r, unsigned version,
                              bool keep_alive, std::chrono::milliseconds write_timeout,
                              WorkerPool& workers);

}  // namespace callledger::server
