// ari-sim's network side: one HTTP/WebSocket listener on loopback (or
// HTTPS/WSS, with a certificate and key in ServerOptions) that plays
// a Replay (replay.h) to the client of /ari/events and answers ARI REST
// requests from the Replay's live state (rest.h).
//
// Threading: everything runs on one thread, the one that calls Run(); the
// Replay and its live state are touched from there only. Stop() may be
// called from any thread.
//
// Connections: one coroutine per connection reads it (HTTP requests, or the
// client's WebSocket control frames). One more coroutine, the pump, is the
// only writer of events: it waits for a subscriber and the next frame's due
// time, writes one frame, waits for that write to complete, and goes on, so
// there is exactly one write in flight and nothing is queued beyond the frame
// being written. When a connection ends (drop point, ApplicationReplaced),
// its last message and close are written by a short coroutine of its own,
// after the pump has let go of it.
//
// Subscribers: the first subscription names the stream's application. A
// newer subscription to it replaces the current one, which receives an
// ApplicationReplaced event and a close (as Asterisk does); the stream goes
// on for the newer one without losing a frame. Subscriptions to any other
// application are accepted and stay open, but receive nothing: the
// recording holds no traffic for them.
//
// The stream starts when the first client subscribes. While no client is
// subscribed (after a drop, or a client that went away), the stream waits:
// the next frame is sent no earlier than its recorded time and no earlier
// than the next subscription. A frame whose write failed is sent again to the
// next client: only drop points lose frames. With ClockMode::kRealtime the
// stream goes on instead, as a PBX's does: frames due while no client is
// subscribed, and a frame whose write failed, are never sent, and the next
// client gets the frames from its subscription on (stream_clock.h). After
// a drop in realtime the PBX is away: /ari/events upgrades are answered 503
// until the drop's gap has happened (stream_clock.h, AwayUntil); REST goes
// on.
//
// CEL: with a CelPlayback, the pump also appends the capture's CEL lines to
// a file as the replay clock reaches their times (cel_lines.h), whether or
// not a client is connected.
//
// Restarts (the Replay's SimRestarts): after a restart's frame the
// connection closes as at a drop point; from then on REST answers as the
// new process (its /ari/asterisk/info, its channels and bridges, which
// start from none), and the frames it never sends are skipped in their
// time. The CEL lines it never wrote were taken out before (restarts.h).
#pragma once

#include <chrono>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ari-sim/auth.h"
#include "ari-sim/cel_writer.h"
#include "ari-sim/listen_address.h"
#include "ari-sim/replay.h"
#include "core/status.h"

namespace callledger::arisim {

struct ServerOptions {
  ListenAddress listen;
  Credentials credentials;
  std::string asterisk_info;  // the body of GET /ari/asterisk/info
  // Both set: serve https/wss instead of http/ws on the same address (a
  // test feature: loopback only still). PEM files.
  std::string tls_cert_file;
  std::string tls_key_file;
  // After each subscription, the stream waits this long before its next
  // frame: time for the client to fetch /ari/channels and /ari/bridges
  // first, so that tests get the reconcile record at a fixed place in the
  // ledger (a real Asterisk gives no such pause). In realtime the clock runs
  // on meanwhile; the frames due then are held back (stream_clock.h).
  std::chrono::milliseconds lead_in{0};
  // --restamp (restamp.h): each capture's times moved to the present when
  // the stream's clock starts; `capture_names` (the FILEs, in order) name
  // them in the log.
  bool restamp = false;
  std::vector<std::string> capture_names;
  // --stream-out: when the stream starts (restamped, with --restamp), every
  // frame of the stream, in order, one per line, byte for byte as it is or
  // would be sent, dropped and skipped frames included: what the PBX did,
  // for a checker to compare a ledger with. Empty: not written.
  std::string stream_out;
};

enum class SignalHandling {
  kStopOnSigintSigterm,  // Run() installs handlers and returns OK on either
  kNone,                 // the caller stops the server with Stop()
};

class SimServer {
 public:
  // Binds and listens. kInvalidInput for an address that is not loopback,
  // or a TLS certificate or key that cannot be loaded (or only one given);
  // kUnavailable when the address cannot be bound (in use, ...). `cel`: the
  // CEL lines to write beside the stream, if any.
  static Result<std::unique_ptr<SimServer>> Create(ServerOptions options, Replay replay,
                                                   std::optional<CelPlayback> cel = std::nullopt);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The bound address, e.g. "127.0.0.1:41234" (the real port when 0 was
  // asked for).
  std::string local_address() const;
  std::uint16_t local_port() const;

  // Serves until Stop() (or a signal, see SignalHandling). Returns OK on a
  // requested stop; kInternal if the event loop failed.
  Status Run(SignalHandling signals);
  // Makes Run() return soon. Thread-safe; idempotent.
  void Stop();

 private:
  class Impl;
  explicit SimServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callledger::arisim
