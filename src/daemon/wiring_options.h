// The daemon's configuration turned into the options of each part it
// wires (call-ledgerd's main): the ARI client, the ledger, the ingest, the
// CEL collector, the projection loop and the HTTP server. Pure functions of the configuration
// (and of the values passed in), so that each mapping is tested without
// starting anything.
//
// Only settings come from here; what connects the parts to each other
// (callbacks, metrics registries, database factories) is wired by main.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ari/client.h"
#include "core/metrics.h"
#include "core/status.h"
#include "daemon/cel_collector.h"
#include "daemon/config.h"
#include "daemon/ingest.h"
#include "daemon/projection_loop.h"
#include "server/http_server.h"
#include "store/rocks_event_log.h"

namespace callledger::daemon {

// The ARI client for `endpoint` (config.ari.Endpoint()): where to connect,
// how to authenticate (basic: the Authorization header; api_key: the key in
// every query), the events URL for logs with its secrets redacted, and the
// reconnect and ping timings.
ari::ClientOptions AriClientOptions(const DaemonConfig& config, const AriEndpoint& endpoint);

// The ledger: its node, the WAL sync interval, and `sync_latency` (may be
// null) for the fsync times.
store::RocksOptions LedgerOptions(const DaemonConfig& config, Histogram* sync_latency);

// The ingest queue and frame limit; `metrics` (may be null) gets frames by
// type and the append latency.
IngestOptions IngestOptionsFrom(const DaemonConfig& config, MetricsRegistry* metrics);

// The CEL collector: the file, margin, settle wait and record size; none
// when cel.file is not set (CEL is not read). `metrics` (may be null) gets
// its lines, records and read errors.
std::optional<CelCollectorOptions> CelCollectorOptionsFrom(const DaemonConfig& config,
                                                           MetricsRegistry* metrics);

// The projection loop's batch size (main adds what it publishes to).
ProjectionLoopOptions ProjectionLoopOptionsFrom(const DaemonConfig& config);

// The HTTP server: address, token, limits, workers, the live feed's `node`
// (the ledger's) and the PBX's time zone `zone` (see PbxTimeZone).
// kInvalidInput if http.listen is not HOST:PORT, which Validate() refuses
// before a configuration gets here.
Result<server::HttpServerOptions> HttpServerOptionsFrom(const DaemonConfig& config,
                                                        const std::string& node,
                                                        const std::string& zone);

}  // namespace callledger::daemon
